import { describe, expect, it } from "vitest";
import { buildContentSecurityPolicy } from "@/lib/http/content-security-policy.ts";

describe("buildContentSecurityPolicy", () => {
  it("allows scripts only with the nonce and forbids framing", () => {
    const csp = buildContentSecurityPolicy("abc123", { development: false });
    const scriptSrc = csp.split("; ").find((directive) => directive.startsWith("script-src"));
    expect(scriptSrc).toBe("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
  });

  it("adds unsafe-eval only in development, where React needs it", () => {
    expect(buildContentSecurityPolicy("n", { development: true })).toContain("'unsafe-eval'");
  });
});
