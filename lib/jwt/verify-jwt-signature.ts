import { decodeBase64Url } from "./inspect-jwt.ts";

export type SignatureResult = { status: "passed" | "failed" | "unknown"; detail: string };

function pemToDer(pem: string): Uint8Array | null {
  const match = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem);
  if (!match?.[1]) return null;
  try {
    return decodeBase64Url(match[1].replace(/\s+/g, ""));
  } catch {
    return null;
  }
}

/** Verifies an RS256 / ES256 signature with a PEM SPKI public key, through WebCrypto (browser and Node alike). */
export async function verifyJwtSignature(input: {
  alg: unknown;
  signingInput: string;
  signature: string;
  publicKeyPem: string;
}): Promise<SignatureResult> {
  if (input.publicKeyPem.includes("BEGIN CERTIFICATE"))
    return { status: "unknown", detail: "Paste the public key (BEGIN PUBLIC KEY), not a certificate." };
  const der = pemToDer(input.publicKeyPem);
  if (!der) return { status: "unknown", detail: "The key is not a PEM public key (-----BEGIN PUBLIC KEY-----)." };
  const algorithm =
    input.alg === "RS256"
      ? { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" } }
      : input.alg === "ES256"
        ? { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } }
        : null;
  if (!algorithm) return { status: "failed", detail: "Only RS256 and ES256 signatures can be verified." };
  try {
    const key = await crypto.subtle.importKey("spki", der.slice().buffer, algorithm.import, false, ["verify"]);
    const valid = await crypto.subtle.verify(
      algorithm.verify,
      key,
      decodeBase64Url(input.signature).slice().buffer,
      new TextEncoder().encode(input.signingInput),
    );
    return valid
      ? { status: "passed", detail: `The ${input.alg} signature matches this public key.` }
      : {
          status: "failed",
          detail:
            "The signature does not match this public key: the device signs with a different private key, or the key on the device record is wrong.",
        };
  } catch {
    return {
      status: "failed",
      detail: `The key cannot be used for ${String(input.alg)} (an RSA key for RS256, a P-256 EC key for ES256).`,
    };
  }
}
