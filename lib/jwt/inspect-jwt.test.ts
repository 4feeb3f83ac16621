import { createSign, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { inspectJwt } from "./inspect-jwt.ts";
import { verifyJwtSignature } from "./verify-jwt-signature.ts";

const now = new Date("2026-11-22T12:00:00Z");
const nowSec = now.getTime() / 1000;
const b64url = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString("base64url");

function makeToken(header: object, payload: object, signer: (input: string) => Buffer = () => Buffer.from("sig")): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${b64url(signer(input))}`;
}

const statusOf = (token: string, id: string, expectedAudience?: string) => {
  const result = inspectJwt(token, { now, ...(expectedAudience ? { expectedAudience } : {}) });
  if (!result.ok) throw new Error(result.error);
  return result.checks.find((check) => check.id === id)?.status;
};

describe("inspectJwt", () => {
  const good = makeToken({ alg: "RS256", typ: "JWT" }, { iat: nowSec - 60, exp: nowSec + 3600, aud: "my-project" });

  it("passes a well-formed ClearBlade token", () => {
    const result = inspectJwt(good, { now, expectedAudience: "my-project" });
    expect(result.ok && result.checks.map((check) => check.status)).toEqual(["passed", "passed", "passed", "passed", "passed", "passed"]);
  });

  it("fails lifetimes over 24 h, expiry, future iat, wrong alg and audience", () => {
    expect(statusOf(makeToken({ alg: "RS256" }, { iat: nowSec, exp: nowSec + 25 * 3600, aud: "p" }), "lifetime")).toBe("failed");
    expect(statusOf(makeToken({ alg: "RS256" }, { iat: nowSec - 7200, exp: nowSec - 3600, aud: "p" }), "expiry")).toBe("failed");
    expect(statusOf(makeToken({ alg: "RS256" }, { iat: nowSec - 3600, exp: nowSec - 300, aud: "p" }), "expiry")).toBe("passed");
    expect(statusOf(makeToken({ alg: "RS256" }, { iat: nowSec + 3600, exp: nowSec + 7200, aud: "p" }), "skew")).toBe("failed");
    expect(statusOf(makeToken({ alg: "HS256" }, { iat: nowSec, exp: nowSec + 60, aud: "p" }), "alg")).toBe("failed");
    expect(statusOf(makeToken({ alg: "ES256" }, { iat: nowSec, exp: nowSec + 60, aud: ["p"] }), "aud")).toBe("failed");
    expect(statusOf(good, "aud", "other-project")).toBe("failed");
    expect(statusOf(good, "aud")).toBe("unknown");
  });

  it("detects standard base64 instead of base64url", () => {
    const payload = Buffer.from(JSON.stringify({ iat: nowSec, exp: nowSec + 60, aud: "p", note: "??>>" })).toString("base64");
    expect(payload).toMatch(/[+/=]/);
    const token = `${b64url({ alg: "RS256" })}.${payload}.c2ln`;
    expect(statusOf(token, "encoding")).toBe("failed");
    expect(statusOf(good, "encoding")).toBe("passed");
  });

  it("rejects what is not a JWT with a reason", () => {
    expect(inspectJwt("abc", { now })).toEqual({ ok: false, error: "A JWT has three dot-separated parts; this has 1." });
    expect(inspectJwt("a.b.c", { now }).ok).toBe(false);
    expect(inspectJwt("  ", { now })).toEqual({ ok: false, error: "Paste a token." });
  });
});

describe("verifyJwtSignature", () => {
  it("verifies RS256 and ES256 with the right key and fails with another", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rsToken = makeToken({ alg: "RS256" }, { iat: nowSec, exp: nowSec + 60, aud: "p" }, (input) =>
      createSign("SHA256").update(input).sign(rsa.privateKey),
    );
    const parsed = inspectJwt(rsToken, { now });
    if (!parsed.ok) throw new Error(parsed.error);
    const pem = (key: typeof rsa.publicKey) => key.export({ type: "spki", format: "pem" }).toString();
    expect((await verifyJwtSignature({ alg: "RS256", ...parsed, publicKeyPem: pem(rsa.publicKey) })).status).toBe("passed");
    expect((await verifyJwtSignature({ alg: "RS256", ...parsed, publicKeyPem: pem(other.publicKey) })).status).toBe("failed");

    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const esToken = makeToken({ alg: "ES256" }, { iat: nowSec, exp: nowSec + 60, aud: "p" }, (input) =>
      sign("SHA256", Buffer.from(input), { key: ec.privateKey, dsaEncoding: "ieee-p1363" }),
    );
    const esParsed = inspectJwt(esToken, { now });
    if (!esParsed.ok) throw new Error(esParsed.error);
    expect((await verifyJwtSignature({ alg: "ES256", ...esParsed, publicKeyPem: pem(ec.publicKey) })).status).toBe("passed");
    expect((await verifyJwtSignature({ alg: "ES256", ...esParsed, publicKeyPem: "not a key" })).status).toBe("unknown");
  });
});
