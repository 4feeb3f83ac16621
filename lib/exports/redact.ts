/** What every export, bundle and shared page passes through before anything leaves the server. */
export type RedactionOptions = { redactIps: boolean };

export const REDACTED = "[redacted]";
export const REDACTED_IP = "[ip redacted]";

// Keys whose values are credentials, whatever their shape. Usernames are included: vendors put SAS tokens,
// API keys and device secrets in the MQTT username (Azure, AWS custom authorizers).
const SECRET_KEY_PATTERN = /pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential|auth(orization)?$|signature|^sig$|sas|cookie|session[_-]?id|user(name)?$|^(u|p|pw|pwd|key)$/i;

const keepPrefix = (_match: string, prefix: string) => `${prefix}${REDACTED}`;
const replaceAll = () => REDACTED;

const SECRET_TEXT_RULES: readonly [RegExp, (match: string, prefix: string) => string][] = [
  // key=value and key: value pairs in free text (log lines, error messages)
  [/\b((?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|auth|sig|signature|sas|user(?:name)?|credentials?)\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s,;&"'}]+)/gi, keepPrefix],
  // connection strings (Azure IoT Hub, Service Bus, Storage, ADO.NET): keys glued to a longer word, and user IDs
  [/\b((?:SharedAccessKey|AccountKey|PrimaryKey|SecondaryKey|User\s?Id|Uid)\s*=\s*)[^;\s"']+/gi, keepPrefix],
  [/\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, replaceAll],
  [/SharedAccessSignature\s+[^\s"']+/g, replaceAll],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, replaceAll],
  [/\blsk_[A-Za-z0-9_-]{8,}/g, replaceAll],
  // credentials in URLs: scheme://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, (_match, prefix) => `${prefix}${REDACTED}@`],
];

const IPV4_PATTERN = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
// At least four groups or a `::`, so clock times like 13:21:00 are not mistaken for addresses.
const IPV6_PATTERN = /(?<![\w:])(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-f]{0,4}:){0,6}:(?::?[0-9a-f]{1,4}){1,7}(?![\w:])/gi;
const IP_KEY_PATTERN = /(^|_|[a-z])(ip|ipAddress|address|peerhost|remoteAddr)$/i;

/** Removes credentials from free text, and IP addresses when asked. */
export function redactText(text: string, options: RedactionOptions): string {
  let result = text;
  for (const [pattern, replace] of SECRET_TEXT_RULES) result = result.replace(pattern, replace);
  if (options.redactIps) result = result.replace(IPV4_PATTERN, REDACTED_IP).replace(IPV6_PATTERN, REDACTED_IP);
  return result;
}

/**
 * The one redaction every export uses: walks any JSON-like value, blanks values under credential-like keys,
 * scrubs credentials out of every string, and masks IP addresses when asked. Dates and bigints pass through.
 */
export function redactSecrets<T>(value: T, options: RedactionOptions): T {
  return redactValue(value, options, null) as T;
}

function redactValue(value: unknown, options: RedactionOptions, key: string | null): unknown {
  if (key !== null && SECRET_KEY_PATTERN.test(key) && value !== null && value !== undefined && typeof value !== "boolean") return REDACTED;
  if (key !== null && options.redactIps && IP_KEY_PATTERN.test(key) && typeof value === "string") return REDACTED_IP;
  if (typeof value === "string") return redactText(value, options);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, options, null));
  if (value instanceof Date || value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([entryKey, entry]) => [entryKey, redactValue(entry, options, entryKey)]));
}
