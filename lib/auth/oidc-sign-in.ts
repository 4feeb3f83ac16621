import type { Db } from "@/lib/db/client.ts";
import { tryRecordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Role } from "@/lib/auth/roles.ts";
import { findUserByEmail } from "@/lib/auth/users.ts";

/** What the identity provider says about the person, from its ID token or userinfo response. */
export type OidcIdentity = { email: string | null; emailVerified: boolean | null };

export type OidcRefusal = "unknown_email" | "disabled" | "email_not_verified";

export type OidcSignInResult =
  | { ok: true; user: { id: string; email: string; name: string | null; role: Role; sessionVersion: number } }
  | { ok: false; reason: OidcRefusal };

/**
 * Single sign-on admits only people an admin already added (by email, any case), not disabled; nobody is created
 * implicitly. An email the provider explicitly marks unverified is refused, since some providers let people type
 * any address; one that says nothing about verification (Entra ID, for one) is trusted as the provider's own.
 */
export async function signInWithOidc(db: Db, identity: OidcIdentity): Promise<OidcSignInResult> {
  const refuse = async (reason: OidcRefusal): Promise<OidcSignInResult> => {
    const actor = { type: "anonymous", id: null, label: identity.email ?? "unknown", role: null } as const;
    await tryRecordAuditEvent(db, { action: "auth.sign_in_failed", actor, details: { method: "oidc", email: identity.email, reason } });
    return { ok: false, reason };
  };
  if (identity.emailVerified === false) return refuse("email_not_verified");
  const user = identity.email ? await findUserByEmail(db, identity.email) : null;
  if (!user) return refuse("unknown_email");
  if (user.disabled) return refuse("disabled");
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
  await tryRecordAuditEvent(db, {
    action: "auth.sign_in",
    actor: { type: "user", id: user.id, label: user.email, role: user.role },
    target: { type: "user", id: user.id },
    details: { method: "oidc" },
  });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion } };
}
