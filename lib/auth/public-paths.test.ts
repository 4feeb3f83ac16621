import { describe, expect, it } from "vitest";
import { buildSignInHref, isPublicPagePath } from "@/lib/auth/public-paths.ts";

describe("isPublicPagePath", () => {
  it("admits only sign-in and share pages", () => {
    expect(isPublicPagePath("/signin")).toBe(true);
    expect(isPublicPagePath("/share/abc")).toBe(true);
    expect(isPublicPagePath("/")).toBe(false);
    expect(isPublicPagePath("/signinx")).toBe(false);
    expect(isPublicPagePath("/share")).toBe(false);
    expect(isPublicPagePath("/devices/share/x")).toBe(false);
    expect(isPublicPagePath("/admin/users")).toBe(false);
  });
});

describe("buildSignInHref", () => {
  it("keeps same-site return paths and drops anything else", () => {
    expect(buildSignInHref("/devices?query=a")).toBe("/signin?callbackUrl=%2Fdevices%3Fquery%3Da");
    expect(buildSignInHref("//evil.example/")).toBe("/signin");
    expect(buildSignInHref("https://evil.example/")).toBe("/signin");
    expect(buildSignInHref("/signin?callbackUrl=/x")).toBe("/signin");
    expect(buildSignInHref(null)).toBe("/signin");
    expect(buildSignInHref("/\\evil.example")).toBe("/signin");
    expect(buildSignInHref("/\t/evil.example")).toBe("/signin");
    expect(buildSignInHref("/.//evil.example")).toBe("/signin");
  });
});
