/**
 * Decodes a JWT and checks it against ClearBlade / Cloud IoT Core's MQTT rules: RS256 or ES256, exp − iat at
 * most 24 h, a single-string aud (the project ID), base64url (not standard base64) segments, at most 10 min
 * of clock skew, and expiry against now. Pure and browser-safe; nothing is stored or sent.
 */

export const MAX_LIFETIME_SEC = 24 * 3600;
export const MAX_SKEW_SEC = 10 * 60;
export const ALLOWED_ALGORITHMS = ["RS256", "ES256"] as const;

export type JwtCheck = { id: string; label: string; status: "passed" | "failed" | "unknown"; detail: string };

export type JwtInspection =
  | { ok: false; error: string }
  | {
      ok: true;
      header: Record<string, unknown>;
      payload: Record<string, unknown>;
      signingInput: string;
      signature: string;
      checks: JwtCheck[];
    };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes base64url, tolerating standard base64 so a wrongly encoded token can still be shown and diagnosed. */
export function decodeBase64Url(segment: string): Uint8Array {
  const normalized = segment.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  const padded = normalized + "=".repeat((4 - (normalized.length % 4)) % 4);
  const binary = atob(padded);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function decodeJsonSegment(segment: string, name: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64Url(segment)));
    if (value === null || typeof value !== "object" || Array.isArray(value)) return `the ${name} is not a JSON object`;
    return value as Record<string, unknown>;
  } catch {
    return `the ${name} is not base64url-encoded JSON`;
  }
}

const asNumber = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

function describeSeconds(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 120) return `${Math.round(abs)} s`;
  if (abs < 7200) return `${Math.round(abs / 60)} min`;
  return `${Math.round((abs / 3600) * 10) / 10} h`;
}

export function inspectJwt(token: string, options: { now: Date; expectedAudience?: string }): JwtInspection {
  const trimmed = token.trim();
  if (trimmed.length === 0) return { ok: false, error: "Paste a token." };
  if (trimmed.length > 16_384) return { ok: false, error: "That is longer than any device JWT (16 KiB)." };
  const parts = trimmed.split(".");
  if (parts.length !== 3) return { ok: false, error: `A JWT has three dot-separated parts; this has ${parts.length}.` };
  const [headerPart = "", payloadPart = "", signaturePart = ""] = parts;
  const header = decodeJsonSegment(headerPart, "header");
  if (typeof header === "string") return { ok: false, error: `Not a JWT: ${header}.` };
  const payload = decodeJsonSegment(payloadPart, "payload");
  if (typeof payload === "string") return { ok: false, error: `Not a JWT: ${payload}.` };

  const now = Math.floor(options.now.getTime() / 1000);
  const checks: JwtCheck[] = [];
  const badSegments = [headerPart, payloadPart, signaturePart].filter((part) => !BASE64URL.test(part));
  checks.push(
    badSegments.length === 0
      ? { id: "encoding", label: "base64url encoding", status: "passed", detail: "Segments use only A-Z a-z 0-9 - _ without padding." }
      : {
          id: "encoding",
          label: "base64url encoding",
          status: "failed",
          detail: "Contains +, / or = padding: standard base64. Encode each segment as base64url (- and _ instead of + and /, no padding).",
        },
  );

  const alg = typeof header.alg === "string" ? header.alg : null;
  checks.push(
    alg !== null && (ALLOWED_ALGORITHMS as readonly string[]).includes(alg)
      ? {
          id: "alg",
          label: "Algorithm",
          status: "passed",
          detail: `${alg}: accepted; it must match the key type registered for the device.`,
        }
      : { id: "alg", label: "Algorithm", status: "failed", detail: `alg is ${alg ?? "missing"}; only RS256 and ES256 are accepted.` },
  );

  const iat = asNumber(payload.iat);
  const exp = asNumber(payload.exp);
  if (iat === null || exp === null) {
    checks.push({
      id: "lifetime",
      label: "Lifetime (exp − iat ≤ 24 h)",
      status: "failed",
      detail: `${iat === null ? "iat" : "exp"} is missing or not a number of epoch seconds.`,
    });
  } else {
    const lifetime = exp - iat;
    checks.push(
      lifetime > 0 && lifetime <= MAX_LIFETIME_SEC
        ? { id: "lifetime", label: "Lifetime (exp − iat ≤ 24 h)", status: "passed", detail: `${describeSeconds(lifetime)}.` }
        : {
            id: "lifetime",
            label: "Lifetime (exp − iat ≤ 24 h)",
            status: "failed",
            detail: lifetime <= 0 ? "exp is not after iat." : `${describeSeconds(lifetime)}: longer than 24 h.`,
          },
    );
  }

  if (iat === null) {
    checks.push({ id: "skew", label: "Clock skew (iat ≤ now + 10 min)", status: "unknown", detail: "No iat to compare." });
  } else {
    const ahead = iat - now;
    checks.push(
      ahead <= MAX_SKEW_SEC
        ? {
            id: "skew",
            label: "Clock skew (iat ≤ now + 10 min)",
            status: "passed",
            detail:
              ahead > 0
                ? `iat is ${describeSeconds(ahead)} in the future, within the 10 min allowance.`
                : `Issued ${describeSeconds(-ahead)} ago.`,
          }
        : {
            id: "skew",
            label: "Clock skew (iat ≤ now + 10 min)",
            status: "failed",
            detail: `iat is ${describeSeconds(ahead)} in the future: the device clock runs ahead. Sync it with NTP.`,
          },
    );
  }

  if (exp === null) {
    checks.push({ id: "expiry", label: "Not expired", status: "failed", detail: "No exp claim." });
  } else {
    const left = exp - now;
    checks.push(
      left > -MAX_SKEW_SEC
        ? {
            id: "expiry",
            label: "Not expired",
            status: "passed",
            detail:
              left >= 0
                ? `Expires in ${describeSeconds(left)} (${new Date(exp * 1000).toISOString()}).`
                : `Expired ${describeSeconds(-left)} ago, still within the 10 min skew allowance.`,
          }
        : {
            id: "expiry",
            label: "Not expired",
            status: "failed",
            detail: `Expired ${describeSeconds(-left)} ago (${new Date(exp * 1000).toISOString()}); the server closes the connection shortly after exp.`,
          },
    );
  }

  const aud = payload.aud;
  if (typeof aud !== "string" || aud.length === 0) {
    checks.push({
      id: "aud",
      label: "Audience (project ID)",
      status: "failed",
      detail: Array.isArray(aud)
        ? "aud is a list; it must be a single string: the cloud project ID."
        : "aud is missing; it must be the cloud project ID.",
    });
  } else if (options.expectedAudience && options.expectedAudience.trim() !== "") {
    const expected = options.expectedAudience.trim();
    checks.push(
      aud === expected
        ? { id: "aud", label: "Audience (project ID)", status: "passed", detail: `aud is ${aud}.` }
        : { id: "aud", label: "Audience (project ID)", status: "failed", detail: `aud is ${aud}, but the project ID is ${expected}.` },
    );
  } else {
    checks.push({
      id: "aud",
      label: "Audience (project ID)",
      status: "unknown",
      detail: `aud is ${aud}; enter the project ID to compare.`,
    });
  }

  return { ok: true, header, payload, signingInput: `${headerPart}.${payloadPart}`, signature: signaturePart, checks };
}
