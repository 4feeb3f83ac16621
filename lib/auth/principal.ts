import type { Db } from "@/lib/db/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { verifyApiToken, type TokenCheck } from "@/lib/auth/api-tokens.ts";
import { tryRecordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getTokenLimiter } from "@/lib/auth/rate-limiter.ts";
import { readSessionClaims } from "@/lib/auth/session-claims.ts";
import { findSessionUser } from "@/lib/auth/users.ts";
import { NotAuthenticatedError, RateLimitedError } from "@/lib/errors/domain-errors.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { CLIENT_ADDRESS_HEADER } from "@/lib/security/client-address.ts";

export type AuthenticatedActor = Extract<Actor, { type: "user" } | { type: "token" }>;

const log = createLogger("auth");

/**
 * The client address for rate limits, audit records and logs: the one our web server (scripts/web-server.ts)
 * resolved from the socket and LINKSCOPE_TRUSTED_PROXIES. X-Forwarded-For and X-Real-IP are client-controlled
 * and never read here; null when the app runs without that server (e.g. `next dev`).
 */
export function getClientAddress(headers: Headers): string | null {
  return headers.get(CLIENT_ADDRESS_HEADER) || null;
}

/**
 * Who is calling: an API token (Authorization: Bearer) or a signed-in user (session cookie), or null.
 * A bearer token that is wrong, expired or revoked is refused outright (401) rather than falling back to the
 * cookie, and refused tokens are rate-limited per client address (429).
 */
export async function resolveActor(db: Db, headers: Headers): Promise<AuthenticatedActor | null> {
  const authorization = headers.get("authorization");
  if (authorization !== null) return resolveTokenActor(db, authorization, getClientAddress(headers));
  const claims = await readSessionClaims(headers);
  if (!claims) return null;
  const user = await findSessionUser(db, claims);
  return user ? { type: "user", id: user.id, label: user.email, role: user.role } : null;
}

async function resolveTokenActor(db: Db, authorization: string, ip: string | null): Promise<AuthenticatedActor> {
  const limiter = getTokenLimiter(db);
  const key = ip ?? "unknown";
  // Counted before the token is looked up (one atomic upsert): checking first and counting only refusals let a
  // concurrent burst of guesses all pass the check. A token that turns out valid gives its attempt back.
  const limit = await limiter.hit(key);
  if (limit.limited) {
    throw new RateLimitedError("rate_limited", "Too many refused API tokens from this address; try again later.", limit.retryAfterSeconds);
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const check: TokenCheck = match?.[1] ? await verifyApiToken(db, match[1], ip) : { ok: false, reason: "malformed" };
  if (check.ok) {
    await limiter.release(key);
    return { type: "token", id: check.token.id, label: `token ${check.token.name}`, role: check.token.role };
  }

  log.warn({ reason: check.reason, ip }, "refused API token");
  if (check.tokenId) {
    await tryRecordAuditEvent(db, {
      action: "token.refused",
      actor: { type: "anonymous", id: null, label: ip ?? "unknown address", role: null },
      target: { type: "api_token", id: check.tokenId },
      ip,
      details: { reason: check.reason },
    });
  }
  throw new NotAuthenticatedError(
    "invalid_token",
    "The API token is not valid: it is unknown, expired or revoked. Send it as `Authorization: Bearer <token>`.",
  );
}
