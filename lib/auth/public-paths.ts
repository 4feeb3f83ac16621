/**
 * Everything reachable without signing in. Anything not listed here requires a signed-in user or an API token,
 * and tests assert both directions (e2e/route-access.spec.ts, lib/auth/page-guards.test.ts).
 */
export const PUBLIC_PAGE_PREFIXES = ["/signin", "/share/"] as const;
/** API routes that use handlePublicRoute: health, next-auth's own endpoints, token-authenticated ingest, share links. */
export const PUBLIC_API_PREFIXES = ["/api/health", "/api/auth/", "/api/v1/ingest/", "/api/v1/share/"] as const;

export function isPublicPagePath(pathname: string): boolean {
  return PUBLIC_PAGE_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`));
}

/** Where to send someone who is not signed in; only same-site paths are kept as the return address. */
export function buildSignInHref(returnTo: string | null | undefined): string {
  if (!returnTo || !returnTo.startsWith("/") || returnTo.startsWith("//") || isPublicPagePath(returnTo.split("?")[0] ?? "")) return "/signin";
  return `/signin?${new URLSearchParams({ callbackUrl: returnTo })}`;
}

/** The request header the proxy uses to tell server components which path was requested. */
export const REQUEST_PATH_HEADER = "x-linkscope-path";
