import { encode } from "next-auth/jwt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCookie, readSessionClaims } from "@/lib/auth/session-claims.ts";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";

describe("readCookie", () => {
  it("finds a cookie among others and joins next-auth's chunks", () => {
    expect(readCookie("a=1; next-auth.session-token=abc; b=2", "next-auth.session-token")).toBe("abc");
    expect(readCookie("x.0=ab; x.1=cd", "x")).toBe("abcd");
    expect(readCookie("other=1", "x")).toBeUndefined();
    expect(readCookie(null, "x")).toBeUndefined();
  });
});

describe("readSessionClaims", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.NEXTAUTH_SECRET = SECRET;
    process.env.NEXTAUTH_URL = "http://127.0.0.1:3000";
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  const headersWith = (token: string) => new Headers({ cookie: `next-auth.session-token=${token}` });

  it("reads the user and session version of a valid session", async () => {
    const token = await encode({ token: { sub: "user-1", sv: 3, sid: "0b7c9f2e-session-1" }, secret: SECRET });
    expect(await readSessionClaims(headersWith(token))).toEqual({ userId: "user-1", sessionVersion: 3, sessionId: "0b7c9f2e-session-1" });
  });

  it("refuses sessions signed with another secret, expired ones and garbage", async () => {
    const foreign = await encode({
      token: { sub: "user-1", sv: 0, sid: "0b7c9f2e-session-1" },
      secret: "another-secret-that-is-long-enough-000000",
    });
    const expired = await encode({ token: { sub: "user-1", sv: 0, sid: "0b7c9f2e-session-1" }, secret: SECRET, maxAge: -60 });
    const noVersion = await encode({ token: { sub: "user-1", sid: "0b7c9f2e-session-1" }, secret: SECRET });
    // Issued before sign-out could end a single session: refused, so upgrading signs everyone out once.
    const noSessionId = await encode({ token: { sub: "user-1", sv: 0 }, secret: SECRET });
    expect(await readSessionClaims(headersWith(noSessionId))).toBeNull();
    expect(await readSessionClaims(headersWith(foreign))).toBeNull();
    expect(await readSessionClaims(headersWith(expired))).toBeNull();
    expect(await readSessionClaims(headersWith(noVersion))).toBeNull();
    expect(await readSessionClaims(headersWith("not-a-jwt"))).toBeNull();
    expect(await readSessionClaims(new Headers())).toBeNull();
  });
});
