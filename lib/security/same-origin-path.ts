// Any origin works as the base: only whether the resolved URL stays on it matters, and the result is a path.
const PLACEHOLDER_ORIGIN = "http://linkscope.invalid";

/**
 * The same-origin path a redirect may follow, or `fallback`. The value is resolved with the WHATWG URL parser,
 * exactly as a browser would resolve it against our page (it turns `\` into `/` and drops tabs and newlines, so
 * `/\evil.example` and `/\t/evil.example` are other hosts), and kept only when the origin did not change. The
 * result is re-serialized from the parsed URL, so what we send is what was checked.
 */
export function toSameOriginPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value === "" || !value.startsWith("/")) return fallback;
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path may normalize to `//host` (e.g. `/.//host`), which a browser reads as another origin.
  return path.startsWith("//") ? fallback : path;
}

/** True when `url` (absolute or relative) resolves to `origin`; used for next-auth's absolute callback URLs. */
export function isSameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url, origin).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}
