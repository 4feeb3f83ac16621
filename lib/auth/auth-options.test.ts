import type { TokenSet } from "openid-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readAuthEnv } from "@/lib/auth/auth-env.ts";
import { getAuthOptions, readOidcClaims, toOidcIdentity } from "@/lib/auth/auth-options.ts";

const saved = { ...process.env };
const BASE = { NEXTAUTH_SECRET: "a-test-secret-that-is-long-enough-0123456789", NEXTAUTH_URL: "http://127.0.0.1:3000" };

afterEach(() => {
  process.env = { ...saved };
});

describe("getAuthOptions", () => {
  it("offers only email and password without OIDC settings, with JWT sessions of the configured length", () => {
    process.env = { ...saved, ...BASE, LINKSCOPE_SESSION_HOURS: "8" };
    const options = getAuthOptions();
    expect(options.providers.map((provider) => provider.id)).toEqual(["credentials"]);
    expect(options.session).toMatchObject({ strategy: "jwt", maxAge: 8 * 3600 });
    expect(options.pages).toEqual({ signIn: "/signin", error: "/signin" });
  });

  it("adds the OIDC provider from env, with PKCE and the issuer's discovery document", () => {
    process.env = {
      ...saved,
      ...BASE,
      OIDC_ISSUER: "https://id.example.com/realms/acme/",
      OIDC_CLIENT_ID: "linkscope",
      OIDC_CLIENT_SECRET: "s3cret",
      OIDC_NAME: "Acme SSO",
    };
    const oidc = getAuthOptions().providers.find((provider) => provider.id === "oidc");
    expect(oidc).toMatchObject({
      name: "Acme SSO",
      type: "oauth",
      wellKnown: "https://id.example.com/realms/acme/.well-known/openid-configuration",
      checks: ["pkce", "state"],
    });
  });
});

describe("readAuthEnv", () => {
  it("names every problem: a short secret and a partial OIDC configuration", () => {
    expect(() => readAuthEnv({ NEXTAUTH_SECRET: "short", OIDC_ISSUER: "https://id.example.com" })).toThrow(
      /at least 32 characters.*must be set together/,
    );
    expect(() => readAuthEnv({})).toThrow(/NEXTAUTH_SECRET/);
  });

  it("follows only same-origin callback URLs, as a browser parses them", async () => {
    process.env = { ...saved, ...BASE };
    const redirect = getAuthOptions().callbacks?.redirect;
    if (!redirect) throw new Error("no redirect callback");
    const baseUrl = "http://127.0.0.1:3000";
    expect(await redirect({ url: "/devices?query=a", baseUrl })).toBe("http://127.0.0.1:3000/devices?query=a");
    expect(await redirect({ url: "http://127.0.0.1:3000/fleet", baseUrl })).toBe("http://127.0.0.1:3000/fleet");
    for (const url of ["/\\evil.example", "/\t/evil.example", "//evil.example", "http://evil.example/", "http://127.0.0.1:4000/x"]) {
      const target = new URL(await redirect({ url, baseUrl }));
      expect(target.origin).toBe(baseUrl);
      expect(target.pathname).toBe("/");
    }
  });
});

describe("readOidcClaims", () => {
  const tokensWith = (claims: Record<string, unknown>) =>
    ({ claims: () => ({ iss: "https://id.example.com", aud: "linkscope", sub: "u-1", ...claims }) }) as unknown as TokenSet;

  it("uses the ID token alone when it carries the email", async () => {
    const userinfo = vi.fn();
    expect(await readOidcClaims(tokensWith({ email: "ann@example.com" }), { userinfo })).toMatchObject({
      sub: "u-1",
      email: "ann@example.com",
    });
    expect(userinfo).not.toHaveBeenCalled();
  });

  it("asks the userinfo endpoint when the ID token has no email, as strict providers' code-flow tokens do", async () => {
    const userinfo = vi.fn(async () => ({ sub: "u-1", email: "ann@example.com", email_verified: true, name: "Ann" }));
    const tokens = tokensWith({});
    expect(await readOidcClaims(tokens, { userinfo })).toMatchObject({
      sub: "u-1",
      email: "ann@example.com",
      email_verified: true,
      name: "Ann",
    });
    expect(userinfo).toHaveBeenCalledWith(tokens);
  });
});

describe("toOidcIdentity", () => {
  it("reads email_verified as a boolean or the strings some providers send, and null when absent or unreadable", () => {
    expect(toOidcIdentity("ann@example.com", { sub: "u-1", email_verified: true })).toEqual({
      email: "ann@example.com",
      emailVerified: true,
    });
    expect(toOidcIdentity("ann@example.com", { sub: "u-1", email_verified: "false" })).toEqual({
      email: "ann@example.com",
      emailVerified: false,
    });
    expect(toOidcIdentity("ann@example.com", { sub: "u-1", email: null })).toEqual({ email: "ann@example.com", emailVerified: null });
    expect(toOidcIdentity(undefined, { sub: "u-1", email_verified: "maybe" })).toEqual({ email: null, emailVerified: null });
  });
});
