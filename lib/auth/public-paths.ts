import { toSameOriginPath } from "@/lib/security/same-origin-path.ts";

/**
 * Everything reachable without signing in. Anything not listed here requires a signed-in user or an API token,
 * and tests assert both directions (e2e/route-access.spec.ts, lib/auth/page-guards.test.ts).
 */
export const PUBLIC_PAGE_PREFIXES = ["/signin", "/share/"] as const;
/** API routes that use handlePublicRoute: health, next-auth's own endpoints, token-authenticated ingest, share links. */
export const PUBLIC_API_PREFIXES = ["/api/health", "/api/auth/", "/api/v1/ingest/", "/api/v1/share/"] as const;

export function isPublicApiPath(pathname: string): boolean {
  return PUBLIC_API_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`));
}

export function isPublicPagePath(pathname: string): boolean {
  return PUBLIC_PAGE_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`));
}

/** Where to send someone who is not signed in; only same-site paths are kept as the return address. */
export function buildSignInHref(returnTo: string | null | undefined): string {
  const path = toSameOriginPath(returnTo, "");
  if (path === "" || isPublicPagePath(path.split(/[?#]/)[0] ?? "")) return "/signin";
  return `/signin?${new URLSearchParams({ callbackUrl: path })}`;
}

/** The request header the proxy uses to tell server components which path was requested. */
export const REQUEST_PATH_HEADER = "x-linkscope-path";
