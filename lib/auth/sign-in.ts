import type { Db } from "@/lib/db/client.ts";
import { tryRecordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getSignInLimiters } from "@/lib/auth/rate-limiter.ts";
import { checkCredentials, EmailSchema, type CredentialCheck } from "@/lib/auth/users.ts";

export type SignInResult = CredentialCheck | { ok: false; rateLimited: true; retryAfterSeconds: number };

function normalizeEmail(email: string): string {
  const parsed = EmailSchema.safeParse(email);
  return parsed.success ? parsed.data : email.trim().toLowerCase().slice(0, 254);
}

/** Whether sign-in attempts for this account or from this address are currently refused, and for how long. */
export async function checkSignInLimit(db: Db, email: string, ip: string | null): Promise<{ limited: boolean; retryAfterSeconds: number }> {
  const { perAccount, perAddress } = getSignInLimiters(db);
  const [account, address] = await Promise.all([perAccount.check(normalizeEmail(email)), perAddress.check(ip ?? "unknown")]);
  return { limited: account.limited || address.limited, retryAfterSeconds: Math.max(account.retryAfterSeconds, address.retryAfterSeconds) };
}

/**
 * Email + password sign-in with brute-force limits and an audit trail of successes and failures. Each attempt is
 * counted before its password is checked (one atomic upsert per key): counting only after a failed check let a burst
 * of concurrent guesses all pass the limit while the first ones were still hashing.
 */
export async function signInWithPassword(db: Db, email: string, password: string, ip: string | null): Promise<SignInResult> {
  const accountKey = normalizeEmail(email);
  const addressKey = ip ?? "unknown";
  const anonymous = { type: "anonymous", id: null, label: accountKey, role: null } as const;
  const { perAccount, perAddress } = getSignInLimiters(db);
  const [account, address] = await Promise.all([perAccount.hit(accountKey), perAddress.hit(addressKey)]);
  if (account.limited || address.limited) {
    await tryRecordAuditEvent(db, { action: "auth.sign_in_rate_limited", actor: anonymous, ip, details: { email: accountKey } });
    return { ok: false, rateLimited: true, retryAfterSeconds: Math.max(account.retryAfterSeconds, address.retryAfterSeconds) };
  }
  const result = await checkCredentials(db, email, password);
  if (!result.ok) {
    await tryRecordAuditEvent(db, {
      action: "auth.sign_in_failed",
      actor: anonymous,
      ip,
      details: { email: accountKey, method: "password" },
    });
    return result;
  }
  // Only failures count: people behind one address (an office NAT) sign in all day.
  await Promise.all([perAccount.reset(accountKey), perAddress.release(addressKey)]);
  await tryRecordAuditEvent(db, {
    action: "auth.sign_in",
    actor: { type: "user", id: result.user.id, label: result.user.email, role: result.user.role },
    target: { type: "user", id: result.user.id },
    ip,
    details: { method: "password" },
  });
  return result;
}
