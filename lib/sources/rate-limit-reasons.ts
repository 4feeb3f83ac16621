/** The two canonical reasons that mean rate limiting (the diagnosis "drops after many messages" analyzer reads them). */
export type RateLimitReason = "throttled" | "quota_exceeded";

/**
 * Vendor words for rate limiting, as the platforms write them (lifecycle-formats.md §1.4, §2.4, §2.6, §3.2–3.3,
 * §4.1, §5.2, §6.2, §7): `THROTTLED`, `ThrottlingException`, `Throttling limits exceeded`, `IotHubQuotaExceeded`,
 * `quota exceeded.`, `Message rate too high`, `connection rate exceeded.`, `server busy.`, `max_connections exceeded`,
 * `Sent too many concurrent PUBLISH messages`, `Too many link opens or reconnects`, `Client queue limit reached`,
 * `The queue of unacknowledged QoS 1 messages hit its limit`, `cannot exceed 10`, … Checked in order; the first
 * match wins, so "the throttled backlog is full" is throttling and "too many messages queued" is a quota.
 */
const RATE_LIMIT_PATTERNS: ReadonlyArray<readonly [RegExp, RateLimitReason]> = [
  [/\bthrottl/, "throttled"],
  [/\bquota/, "quota_exceeded"],
  [
    /\bqueue(?:d|s)?\b.*\b(?:full|limit|depth|exceed\w*|overflow\w*)|\b(?:full|limit|depth|exceed\w*|overflow\w*|too many)\b.*\bqueue(?:d|s)?\b/,
    "quota_exceeded",
  ],
  [/\brate ?limit/, "throttled"],
  [/\brates? (?:too high|exceeded|over)/, "throttled"],
  [/\b(?:message|publish|connection|connect|request|subscribe|reconnect) rate\b/, "throttled"],
  [/\bserver (?:is )?busy\b/, "throttled"],
  [/\breceive maximum exceeded\b/, "throttled"],
  [/\bmax(?:imum)? ?connections? exceeded\b/, "throttled"],
  [/\btoo many\b/, "throttled"],
  [/\btoo (?:quickly|fast|often|frequently)\b/, "throttled"],
  [/\b(?:session|queue|inflight|in flight|mailbox) ?overflow\b/, "quota_exceeded"],
];

/** A limit whose breach is not about rates or quotas: keepalive, timeouts, sizes, retries, sockets. */
const OTHER_LIMITS =
  /\b(?:keep ?alive|time|timeout|size|packet|payload|frame|length|idle|retr(?:y|ies)|socket|ulimit)s? limits?\b|\blimits? (?:between|on (?:size|time))\b/;
// A sentence about sizes ("packet size exceeds the maximum allowed limit") is a protocol limit wherever the words sit.
const SIZE_WORDS = /\b(?:size|too large|too big|length|payload|bytes)\b/;
const GENERIC_LIMIT = /\blimits? (?:exceeded|reached|hit)\b|\b(?:exceed\w*|reached|hit(?: its)?)\b.{0,40}\blimits?\b|\bcannot exceed\b/;

/** Lower-case words: `DeviceThrottlingLimitExceeded`, `message_rate_too_high`, `QUOTA-EXCEEDED` all read as text. */
export function normalizeVendorWords(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z])(?=[A-Z][a-z])/g, "$1 ")
    .toLowerCase()
    .replace(/[_\-:./\s]+/g, " ")
    .trim();
}

/**
 * Whether a vendor text (a reason string, a log line's reason, an error name or message) states rate limiting,
 * and as which canonical reason. The single place adapters consult when a code alone does not decide.
 */
export function recogniseRateLimiting(text: string | null | undefined): RateLimitReason | null {
  if (!text) return null;
  const words = normalizeVendorWords(text.slice(0, 2000));
  for (const [pattern, reason] of RATE_LIMIT_PATTERNS) if (pattern.test(words)) return reason;
  if (GENERIC_LIMIT.test(words) && !OTHER_LIMITS.test(words) && !SIZE_WORDS.test(words)) return "quota_exceeded";
  return null;
}
