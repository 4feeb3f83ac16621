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
