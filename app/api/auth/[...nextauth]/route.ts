import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { getAuthOptions } from "@/lib/auth/auth-options.ts";
import { getClientAddress } from "@/lib/auth/principal.ts";
import { checkSignInLimit } from "@/lib/auth/sign-in.ts";
import { getDb } from "@/lib/db/client.ts";
import { createErrorResponse, toErrorResponse } from "@/lib/http/error-response.ts";
import { readBoundedBody } from "@/lib/http/read-json-body.ts";

type NextAuthContext = { params: Promise<{ nextauth: string[] }> };

const MAX_SIGN_IN_BODY_BYTES = 8 * 1024;

async function handleAuth(request: Request, context: NextAuthContext): Promise<Response> {
  const handler = NextAuth(getAuthOptions()) as (request: Request, context: NextAuthContext) => Promise<Response>;
  return handler(request, context);
}

export const GET = handleAuth;

/**
 * Public by nature (this is where people sign in). Every POST body is read here with a bound, counted while it
 * streams: next-auth reads bodies whole, and a declared Content-Length alone let a chunked upload of any size through.
 * Password sign-ins over the limit get a real 429 here, before next-auth, which can only answer with a redirect; the
 * same limit is enforced again inside `authorize`.
 */
export async function POST(request: Request, context: NextAuthContext): Promise<Response> {
  let body: Buffer;
  try {
    body = await readBoundedBody(request, MAX_SIGN_IN_BODY_BYTES);
  } catch (error) {
    return toErrorResponse(error, request);
  }
  const headers = new Headers(request.headers);
  headers.delete("transfer-encoding");
  headers.set("content-length", String(body.length));
  // next-auth reads `nextUrl` from the request it is handed.
  const bounded = new NextRequest(request.url, { method: "POST", headers, body: new Uint8Array(body) });

  const { nextauth } = await context.params;
  if (nextauth.join("/") !== "callback/credentials") return handleAuth(bounded, context);
  // next-auth's sign-in form posts application/x-www-form-urlencoded; the email only picks the limiter's key.
  const email = new URLSearchParams(body.toString("utf8")).get("email") ?? "";
  const limit = await checkSignInLimit(getDb(), email, getClientAddress(request.headers));
  if (limit.limited) {
    const response = createErrorResponse(429, "rate_limited", "Too many failed sign-in attempts; try again later.", {
      retryAfterSeconds: limit.retryAfterSeconds,
    });
    response.headers.set("retry-after", String(limit.retryAfterSeconds));
    return response;
  }
  return handleAuth(bounded, context);
}
