import { describe, expect, it } from "vitest";
import { isHttpUrl, maskWebhookUrl } from "./webhook-url.ts";

describe("webhook URLs", () => {
  it("masks everything after the host except the last 4 characters", () => {
    const slack = "https://hooks.slack.com/services/T000/B000/XXXXXXXXsecretAbcd";
    expect(maskWebhookUrl(slack)).toBe("https://hooks.slack.com/…Abcd");
    expect(maskWebhookUrl(slack)).not.toContain("secret");
    expect(maskWebhookUrl("http://127.0.0.1:9000/hooks/alerts?token=abcdef123")).toBe("http://127.0.0.1:9000/…f123");
  });

  it("shows nothing of a short path and never the user-info", () => {
    expect(maskWebhookUrl("https://user:pw@example.com/ab")).toBe("https://example.com/…");
    expect(maskWebhookUrl("not a url")).toBe("…");
  });

  it("accepts only http and https", () => {
    expect(isHttpUrl("https://hooks.slack.com/x")).toBe(true);
    expect(isHttpUrl("http://127.0.0.1:8080/")).toBe(true);
    for (const bad of ["ftp://example.com/x", "javascript:alert(1)", "file:///etc/passwd", "hooks.slack.com/x", ""])
      expect(isHttpUrl(bad)).toBe(false);
  });
});
