const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

type RequestFacts = { method: string; headers: Headers };

/**
 * Why a state-changing, cookie-authenticated request looks like it came from another origin, or null when it did
 * not. Browsers attach cookies to cross-origin form posts (`text/plain` bodies need no CORS preflight), so the
 * session cookie alone proves nothing. The order follows Go's http.CrossOriginProtection:
 * - `Sec-Fetch-Site` (every current browser) must be `same-origin`, or `none` (typed into the address bar);
 * - otherwise `Origin`, when present, must name one of our own hosts (compared by host: a TLS-terminating proxy
 *   may change the scheme; another port of the same host is another origin and is refused);
 * - a request with neither header does not come from a browser, so no cookie was attached on someone's behalf.
 * Requests with an `Authorization` header are not checked: a page on another site cannot make a browser send one.
 */
export function findCrossSiteReason(request: RequestFacts, ownHosts: readonly string[]): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  if (request.headers.has("authorization")) return null;
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite !== null) {
    return fetchSite === "same-origin" || fetchSite === "none" ? null : `the browser marked it as ${fetchSite}`;
  }
  const origin = request.headers.get("origin");
  if (origin === null) return null;
  const originHost = hostOf(origin);
  if (originHost === null) return `its Origin is ${origin === "null" ? "opaque (null)" : "not a URL"}`;
  const own = new Set(ownHosts.map((host) => host.toLowerCase()));
  return own.has(originHost) ? null : `its Origin ${origin} is not this site`;
}

/** Our own hosts: the Host the request was sent to and the configured public URL (NEXTAUTH_URL). */
export function listOwnHosts(headers: Headers, publicUrl: string | undefined): string[] {
  const hosts = [headers.get("host")?.toLowerCase()];
  if (publicUrl) hosts.push(hostOf(publicUrl) ?? undefined);
  return hosts.filter((host): host is string => Boolean(host));
}

function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host ? parsed.host.toLowerCase() : null;
  } catch {
    return null;
  }
}
