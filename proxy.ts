import { NextResponse, type NextRequest } from "next/server";
import { readSessionClaims } from "@/lib/auth/session-claims.ts";
import { buildSignInHref, isPublicPagePath, REQUEST_PATH_HEADER } from "@/lib/auth/public-paths.ts";
import { getClientAddress } from "@/lib/auth/principal.ts";
import { getDb } from "@/lib/db/client.ts";
import { buildContentSecurityPolicy } from "@/lib/http/content-security-policy.ts";
import { screenShareVisit } from "@/lib/share/share-links.ts";
import { renderShareRefusalHtml, SHARE_REFUSAL_STATUS } from "@/lib/share/share-refusal.ts";

const SHARE_PAGE_PATTERN = /^\/share\/([^/]{1,200})\/?$/;

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

  // A page cannot choose its status, so refused share links are answered here: 404 unknown, 410 expired or revoked,
  // 429 after too many refused ones from one address.
  const shareToken = SHARE_PAGE_PATTERN.exec(pathname)?.[1];
  if (shareToken !== undefined) {
    const checked = await screenShareVisit(getDb(), { token: decodeSegment(shareToken), ip: getClientAddress(request.headers) });
    if (checked.status !== "active") {
      return new NextResponse(renderShareRefusalHtml(checked.status), {
        status: SHARE_REFUSAL_STATUS[checked.status],
        headers: {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": csp,
          "cache-control": "no-store",
          "referrer-policy": "no-referrer",
          ...(checked.status === "rate_limited" ? { "retry-after": String(checked.retryAfterSeconds) } : {}),
        },
      });
    }
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set(REQUEST_PATH_HEADER, `${pathname}${search}`);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  return response;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// Prefetches too: their header is the sender's choice, and a skipped one got no CSP and no share-token check.
export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
