import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { readSessionClaims } from "@/lib/auth/session-claims.ts";
import { buildSignInHref, REQUEST_PATH_HEADER } from "@/lib/auth/public-paths.ts";
import { hasRole, type Role } from "@/lib/auth/roles.ts";
import { findSessionUser, type SessionUser } from "@/lib/auth/users.ts";
import { getDb } from "@/lib/db/client.ts";

/** The signed-in user of this request, checked against the database (once per request), or null. */
export const getPageUser = cache(async (): Promise<SessionUser | null> => {
  const claims = await readSessionClaims(await headers());
  return claims ? findSessionUser(getDb(), claims) : null;
});

/**
 * Every non-public page calls this first: the proxy's redirect is a convenience, this is the check.
 * Not signed in → /signin; role too low → the 403 page.
 */
export async function requirePageUser(minimum: Role = "viewer"): Promise<SessionUser> {
  const user = await getPageUser();
  if (!user) redirect(buildSignInHref((await headers()).get(REQUEST_PATH_HEADER)));
  if (!hasRole(user.role, minimum)) forbidden();
  return user;
}
