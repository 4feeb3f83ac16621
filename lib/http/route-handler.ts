import { toErrorResponse } from "@/lib/http/error-response.ts";

type RouteHandler<C> = (request: Request, context: C) => Promise<Response>;

/** Wraps a route handler so every failure leaves as the `{ error: { code, message, details? } }` envelope. */
export function handleRoute<C>(handler: RouteHandler<C>): RouteHandler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return toErrorResponse(error, request);
    }
  };
}

/**
 * For the few routes that need no signed-in user (health, token-authenticated ingest, share links): same error
 * envelope. Today it equals handleRoute; once sign-in exists, handleRoute requires a user and this does not.
 */
export const handlePublicRoute = handleRoute;
