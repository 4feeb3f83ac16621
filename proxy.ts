import { NextResponse, type NextRequest } from "next/server";
import { readSessionClaims } from "@/lib/auth/session-claims.ts";
import { buildSignInHref, isPublicPagePath, REQUEST_PATH_HEADER } from "@/lib/auth/public-paths.ts";
import { buildContentSecurityPolicy } from "@/lib/http/content-security-policy.ts";

/**
 * Runs before every page (not API routes: those authorize in handleRoute and answer 401/403 as JSON).
 * Sets a per-request CSP nonce and sends visitors without a valid session to /signin. This is the first gate
 * only: each page checks the user again on the server (requirePageUser), including role and disabled status.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = buildContentSecurityPolicy(nonce, { development: process.env.NODE_ENV === "development" });
  const { pathname, search } = request.nextUrl;

  if (!isPublicPagePath(pathname) && !(await readSessionClaims(request.headers))) {
    const target = new URL(buildSignInHref(`${pathname}${search}`), request.url);
    const redirect = NextResponse.redirect(target);
    redirect.headers.set("content-security-policy", csp);
    return redirect;
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set(REQUEST_PATH_HEADER, `${pathname}${search}`);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
