import type { AuthenticatedActor } from "@/lib/auth/principal.ts";
import { resolveActor, getClientAddress } from "@/lib/auth/principal.ts";
import { hasRole, type Role } from "@/lib/auth/roles.ts";
import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { toErrorResponse } from "@/lib/http/error-response.ts";
import { findCrossSiteReason, listOwnHosts } from "@/lib/security/cross-site-request.ts";

type RouteHandler<C> = (request: Request, context: C) => Promise<Response>;

/** The caller of an authenticated route: a signed-in user or an API token, and its address. */
export type RouteAuth = { actor: AuthenticatedActor; ip: string | null };
type AuthenticatedRouteHandler<C> = (request: Request, context: C, auth: RouteAuth) => Promise<Response>;
export type RouteAccess = { role: Role };

/**
 * Wraps a route handler: the caller must be signed in (session cookie) or send a valid API token, with at least
 * `access.role` (default viewer): 401 otherwise, 403 for a role that is too low or for a cookie-authenticated write
 * sent from another origin (CSRF). Every failure leaves as the
 * `{ error: { code, message, details? } }` envelope.
 */
export function handleRoute<C>(handler: AuthenticatedRouteHandler<C>): RouteHandler<C>;
export function handleRoute<C>(access: RouteAccess, handler: AuthenticatedRouteHandler<C>): RouteHandler<C>;
export function handleRoute<C>(
  accessOrHandler: RouteAccess | AuthenticatedRouteHandler<C>,
  maybeHandler?: AuthenticatedRouteHandler<C>,
): RouteHandler<C> {
  const access: RouteAccess = typeof accessOrHandler === "function" ? { role: "viewer" } : accessOrHandler;
  const handler = typeof accessOrHandler === "function" ? accessOrHandler : maybeHandler;
  if (!handler) throw new Error("handleRoute needs a handler");
  return async (request, context) => {
    try {
      refuseCrossSiteRequest(request);
      const auth = await authorizeRequest(request, access.role);
      return await handler(request, context, auth);
    } catch (error) {
      return toErrorResponse(error, request);
    }
  };
}

/** Every cookie-authenticated write passes here, so CSRF protection cannot be forgotten by a new route. */
function refuseCrossSiteRequest(request: Request): void {
  const reason = findCrossSiteReason(request, listOwnHosts(request.headers, process.env.NEXTAUTH_URL));
  if (reason === null) return;
  throw new AppError(
    403,
    "cross_site_request",
    `Refused a cross-site request: ${reason}. Send it from Linkscope's own pages, or use an API token.`,
  );
}

export async function authorizeRequest(request: Request, role: Role): Promise<RouteAuth> {
  const actor = await resolveActor(getDb(), request.headers);
  if (!actor) throw new AppError(401, "not_signed_in", "Sign in, or send an API token as `Authorization: Bearer <token>`.");
  if (!hasRole(actor.role, role)) {
    throw new AppError(403, "forbidden", `This needs the ${role} role; you have ${actor.role}.`, { requiredRole: role, role: actor.role });
  }
  return { actor, ip: getClientAddress(request.headers) };
}

/**
 * For the routes that need no signed-in user: health, token-authenticated ingest (the route checks its own
 * token) and share links. Same error envelope. Listed in the README's access table.
 */
export function handlePublicRoute<C>(handler: RouteHandler<C>): RouteHandler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return toErrorResponse(error, request);
    }
  };
}
