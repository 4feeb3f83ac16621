import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/auth-options.ts";
import { getClientAddress } from "@/lib/auth/principal.ts";
import { checkSignInLimit } from "@/lib/auth/sign-in.ts";
import { getDb } from "@/lib/db/client.ts";
import { createErrorResponse } from "@/lib/http/error-response.ts";

type NextAuthContext = { params: Promise<{ nextauth: string[] }> };

const MAX_SIGN_IN_BODY_BYTES = 8 * 1024;

async function handleAuth(request: Request, context: NextAuthContext): Promise<Response> {
  const handler = NextAuth(getAuthOptions()) as (request: Request, context: NextAuthContext) => Promise<Response>;
  return handler(request, context);
}

export const GET = handleAuth;

/**
 * Public by nature (this is where people sign in). Password sign-ins over the limit get a real 429 here, before
 * next-auth, which can only answer with a redirect; the same limit is enforced again inside `authorize`.
 */
export async function POST(request: Request, context: NextAuthContext): Promise<Response> {
  const { nextauth } = await context.params;
  if (nextauth.join("/") !== "callback/credentials") return handleAuth(request, context);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_SIGN_IN_BODY_BYTES) {
    return createErrorResponse(413, "body_too_large", `The request body is larger than ${MAX_SIGN_IN_BODY_BYTES} bytes.`);
  }
  const form = await request
    .clone()
    .formData()
    .catch(() => null);
  const email = form?.get("email");
  const limit = await checkSignInLimit(getDb(), typeof email === "string" ? email : "", getClientAddress(request.headers));
  if (limit.limited) {
    const response = createErrorResponse(429, "rate_limited", "Too many failed sign-in attempts; try again later.", {
      retryAfterSeconds: limit.retryAfterSeconds,
    });
    response.headers.set("retry-after", String(limit.retryAfterSeconds));
    return response;
  }
  return handleAuth(request, context);
}
