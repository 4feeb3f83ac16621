import { createHmac, timingSafeEqual } from "node:crypto";
import type { Authenticate, AuthenticateResult } from "@/demo/broker/embedded-broker.ts";

/**
 * Demo-only signing key shared by the simulated devices and the embedded broker's authenticator. It protects
 * nothing: it exists so credential expiry and wrong passwords are real broker decisions, not faked events.
 */
export const DEMO_CREDENTIAL_SECRET = "linkscope-demo-fleet-key";

const TOKEN_PREFIX = "lsk1";
const SIGNATURE_HEX_LENGTH = 32;

/** A device token: `lsk1.<expiresAt epoch ms, 0 = never>.<hmac>`, bound to the client ID it was issued for. */
export function issueDeviceToken(clientId: string, expiresAt: number | null, secret = DEMO_CREDENTIAL_SECRET): string {
  const expiry = expiresAt === null ? 0 : Math.floor(expiresAt);
  return `${TOKEN_PREFIX}.${expiry}.${signToken(clientId, expiry, secret)}`;
}

function signToken(clientId: string, expiry: number, secret: string): string {
  return createHmac("sha256", secret).update(`${clientId}\n${expiry}`, "utf8").digest("hex").slice(0, SIGNATURE_HEX_LENGTH);
}

function readToken(text: string): { expiry: number; signature: string } | null {
  const match = /^lsk1\.(\d{1,16})\.([0-9a-f]+)$/.exec(text);
  if (!match?.[1] || !match[2] || match[2].length !== SIGNATURE_HEX_LENGTH) return null;
  return { expiry: Number(match[1]), signature: match[2] };
}

export type SimulatorAuthenticatorOptions = {
  secret?: string;
  now?: () => number;
  /** Username/password pairs for service clients (e.g. an ingest worker configured with MQTT_PASSWORD). */
  serviceCredentials?: ReadonlyArray<{ username: string; password: string }>;
};

/**
 * The embedded broker's `authenticate` hook for the simulated fleet. Clients without a password (the ingest
 * worker, dashboards, tests) are let in; a password must be a valid device token (→ accepted, expiring when the
 * token does) or a service credential. A forged token is refused with 4 (bad username or password), an expired
 * one with 5 (not authorized).
 */
export function createSimulatorAuthenticator(options: SimulatorAuthenticatorOptions = {}): Authenticate {
  const secret = options.secret ?? DEMO_CREDENTIAL_SECRET;
  const now = options.now ?? Date.now;
  const services = options.serviceCredentials ?? [];

  return ({ clientId, username, password }): AuthenticateResult => {
    if (password === undefined) return { ok: true };
    const text = password.toString("utf8");
    if (services.some((s) => s.username === username && safeEqual(s.password, text))) return { ok: true };
    const token = readToken(text);
    if (!token || !safeEqual(token.signature, signToken(clientId, token.expiry, secret))) return { ok: false, returnCode: 4 };
    if (token.expiry === 0) return { ok: true };
    if (token.expiry <= now()) return { ok: false, returnCode: 5 };
    return { ok: true, expiresAt: token.expiry };
  };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
