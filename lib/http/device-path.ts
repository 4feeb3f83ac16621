import { hasControlCharacters } from "@/lib/events/connection-event.ts";

/**
 * Path of a device page. IDs may contain `/ # + ? %`, spaces and unicode, so the ID is one encoded
 * segment; `.` and `..` are encoded too because browsers would otherwise resolve them as path steps.
 */
export function deviceHref(deviceId: string, range?: { from?: string; to?: string }): string {
  const segment = deviceId === "." || deviceId === ".." ? deviceId.replaceAll(".", "%2E") : encodeURIComponent(deviceId);
  const params = new URLSearchParams();
  if (range?.from) params.set("from", range.from);
  if (range?.to) params.set("to", range.to);
  const query = params.toString();
  return `/devices/${segment}${query ? `?${query}` : ""}`;
}

/** API path for a device resource, e.g. `deviceApiPath(id, "events")`. */
export function deviceApiPath(deviceId: string, resource?: "events" | "sessions" | "agent-export" | "probes" | "funnel"): string {
  return `/api/v1/devices/${encodeURIComponent(deviceId)}${resource ? `/${resource}` : ""}`;
}

/**
 * The device ID from the catch-all segments of /devices/[...deviceId]. Next hands page params over
 * still percent-encoded (route handler params arrive decoded), so each segment is decoded here; an
 * unencoded `/` in a pasted URL splits the ID into several segments, which are joined back.
 */
export function decodeDeviceIdSegments(segments: ReadonlyArray<string>): string | null {
  try {
    const id = segments.map((segment) => decodeURIComponent(segment)).join("/");
    // Stored IDs never hold control characters (DeviceIdSchema), so such a path names no device.
    return id.length > 0 && !hasControlCharacters(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * The device a pasted link to its page names (`https://linkscope.example/devices/plant%207%2Fline%232?from=…`,
 * any host: a colleague's link may come from another address of the same server); null for anything else, which
 * is then searched as typed.
 */
export function deviceIdFromPageLink(text: string): string | null {
  const trimmed = text.trim();
  if (!/^https?:\/\//i.test(trimmed)) return null;
  let path: string;
  try {
    path = new URL(trimmed).pathname;
  } catch {
    return null;
  }
  const match = /^\/devices\/(.+?)\/?$/.exec(path);
  return match?.[1] ? decodeDeviceIdSegments(match[1].split("/")) : null;
}
