/**
 * The one redaction: every read path (API responses, pages, share pages, exports, bundles, logs) passes stored
 * text through it before it leaves the server. The database keeps the raw payload, so re-processing still works.
 */
export type RedactionOptions = { redactIps: boolean };

export const REDACTED = "[redacted]";
export const REDACTED_IP = "[ip redacted]";

/** Every prefix of a token Linkscope issues: API tokens, share links, ingest tokens (see redact.test.ts). */
export const LINKSCOPE_TOKEN_PREFIXES = ["lsk_", "lss_", "lsit_"] as const;

// Keys whose values are credentials, whatever their shape. Usernames are included: vendors put SAS tokens,
// API keys and device secrets in the MQTT username (Azure, AWS custom authorizers).
// Pre-shared keys (Wi-Fi, TLS-PSK), key material named by its use (DPS symmetricKey, hmacKey) and connection strings
// under their short names are credentials too; `sessionKey` and `dedupeKey` are not, so `key` alone is not enough.
const SECRET_KEY_PATTERN =
  /pass(word|wd|phrase)?|pwd|psk|pre[_-]?shared|secret|token|api[_-]?key|(access|account|private|primary|secondary|signing|device|client|subscription|master|functions?|shared|symmetric|encryption|hmac|aes|auth|priv|wifi)[_-]?key|credential|auth(orization)?$|auth(entication)?[_-]?data|signature|^sig$|sas|cookie|session[_-]?id$|conn(ection)?[_-]?str(ing)?|database[_-]?url|dsn$|user(name)?$|^(u|p|pw|key)$/i;

// Key names that introduce a credential in free text (`key=value`, `key: value`, `"key":"value"`).
const SECRET_TEXT_KEYS =
  "pass(?:word|wd|phrase)?|pwd|psk|pre[_-]?shared[_-]?key|secret|token|api[_-]?key|(?:access|account|private|primary|secondary|signing|client|subscription|master|functions?|shared|symmetric|encryption|hmac|aes|auth|priv|wifi)[_-]?key|auth|authorization|auth(?:entication)?[_-]?data|sig|signature|sas|user(?:name)?|credentials?|(?:set-)?cookie|conn(?:ection)?[_-]?str(?:ing)?|database[_-]?url|dsn";
// Key names that are enough on their own, before a space: `apikey X`, `password X`.
const SECRET_WORD_KEYS = "api[_-]?key|x-api-key|access[_-]?key|secret[_-]?key|passw(?:or)?d|pwd|secret|token|auth(?:entication)?[_-]?data";

type Replacer = (match: string, ...groups: string[]) => string;

const keepPrefix: Replacer = (_match, prefix) => `${prefix}${REDACTED}`;
const replaceAll: Replacer = () => REDACTED;
/** A value with a digit or a symbol, or too long for a word: what a credential looks like and prose does not. */
function looksLikeCredential(value: string): boolean {
  return /[0-9+/=_~.-]/.test(value) || value.length >= 16;
}

const tokenPrefixes = LINKSCOPE_TOKEN_PREFIXES.join("|");

const SECRET_TEXT_RULES: readonly [RegExp, Replacer][] = [
  // PEM private keys, also with JSON-escaped line breaks and cut short by a truncated payload.
  // The body stops at the next BEGIN: a scan for END that could cross it made a payload of many BEGINs quadratic.
  [
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:(?:(?!-----BEGIN )[\s\S])*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[A-Za-z0-9+/=\s\\]*)/g,
    replaceAll,
  ],
  // key=value, key: value and "key":"value" pairs in free text and in JSON kept as text (dead letters, log lines).
  // A key glued to a longer word counts too (access_token, x-amz-security-token, sharedAccessKey), up to 64
  // characters of it: unbounded, every `-` in a long `a-a-a-…` run started a scan to its end (quadratic).
  [
    new RegExp(
      `(\\b[\\w-]{0,64}?(?:${SECRET_TEXT_KEYS}))(\\\\*["'])?(\\s*[=:]\\s*)(?:(\\\\*["'])(?:(?!\\4)[^\\n])*?\\4|(\\\\*["'])[^"'\\\\\\n]*|((?:(?:Bearer|Basic|Digest|SharedAccessSignature)\\s+)?[^\\s,;&"'}\\\\]+))`,
      "gi",
    ),
    (match, key, keyQuote, separator, quote, unterminated, bare) => {
      const prefix = `${key}${keyQuote ?? ""}${separator}`;
      if (quote !== undefined) return `${prefix}${quote}${REDACTED}${quote}`;
      if (unterminated !== undefined) return `${prefix}${REDACTED}`;
      // Prose says "token: expired" or "AUTH: enhanced authentication"; machine text says key=value.
      const machineText = keyQuote !== undefined || (separator ?? "").includes("=") || looksLikeCredential(bare ?? "");
      return machineText ? `${prefix}${REDACTED}` : match;
    },
  ],
  // `apikey X`, `token X`: only when X looks like a credential, so "token expired" stays readable.
  [
    new RegExp(
      `(\\b(?:${SECRET_WORD_KEYS})\\s+)((?=[A-Za-z0-9][^\\s,;"'<>()]*[0-9_+/=-])[A-Za-z0-9][^\\s,;"'<>()]{5,}|[A-Za-z0-9][^\\s,;"'<>()]{19,})`,
      "gi",
    ),
    keepPrefix,
  ],
  // connection strings (Azure IoT Hub, Service Bus, Storage, ADO.NET): keys glued to a longer word, and user IDs
  [/\b((?:SharedAccessKey|AccountKey|PrimaryKey|SecondaryKey|User\s?Id|Uid)\s*=\s*)[^;\s"'\\]+/gi, keepPrefix],
  [
    /\b(?:[Bb]earer|[Bb]asic|[Dd]igest)\s+(?:(?=[A-Za-z0-9._~+/=-]*[0-9_+/=.-])[A-Za-z0-9._~+/=-]{6,}|[A-Za-z0-9._~+/=-]{20,})/g,
    replaceAll,
  ],
  [/SharedAccessSignature\s+[^\s"'\\]+/g, replaceAll],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, replaceAll],
  [new RegExp(`\\b(?:${tokenPrefixes})[A-Za-z0-9_-]{12,}`, "g"), replaceAll],
  // Google API keys.
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, replaceAll],
  // AWS access key IDs, and 40-character secret access keys (mixed case and digits, unlike hex digests).
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g, replaceAll],
  [
    /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[0-9])(?![A-Za-z0-9+]*\/[A-Za-z0-9+]*\/[A-Za-z0-9+]*\/)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    replaceAll,
  ],
  // credentials in URLs: scheme://user:password@host (a scheme is short: unbounded, every letter of an `a-a-a-…`
  // run started a scan to its end, quadratic)
  // (the user may be empty: redis://:password@host)
  [/(\b[a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/@:]*:[^\s/@]+@/gi, (_match, prefix) => `${prefix}${REDACTED}@`],
  // an API key in a query string (`?key=…`, Google and many REST APIs)
  [/([?&](?:api[_-]?)?key=)[^&\s"'#\\]+/gi, keepPrefix],
];

const IPV4_PATTERN = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
// At least four groups or a `::`, so clock times like 13:21:00 are not mistaken for addresses.
const IPV6_PATTERN =
  /(?<![\w:])(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-f]{0,4}:){0,6}:(?::?[0-9a-f]{1,4}){1,7}(?![\w:])/gi;
const IP_KEY_PATTERN = /(^|_|[a-z])(ip|ipAddress|address|peerhost|remoteAddr)$/i;

/** Removes credentials from free text, and IP addresses when asked. */
export function redactText(text: string, options: RedactionOptions = { redactIps: false }): string {
  let result = text;
  for (const [pattern, replace] of SECRET_TEXT_RULES) result = result.replace(pattern, replace);
  if (options.redactIps) result = result.replace(IPV4_PATTERN, REDACTED_IP).replace(IPV6_PATTERN, REDACTED_IP);
  return result;
}

/** Whether a key names a credential (so its value is blanked whatever its shape). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/**
 * Walks any JSON-like value, blanks values under credential-like keys, scrubs credentials out of every string,
 * and masks IP addresses when asked. Dates, bigints and class instances other than plain objects pass through.
 */
export function redactSecrets<T>(value: T, options: RedactionOptions = { redactIps: false }): T {
  return redactValue(value, options, null, true) as T;
}

/**
 * Scrubs credentials out of every string of a value the product computed (a diagnosis, a ticket) without
 * blanking by key: its keys are ours, not a payload's, and a finding's `tokenLifetimeMs` is no secret.
 */
export function redactStrings<T>(value: T, options: RedactionOptions = { redactIps: false }): T {
  return redactValue(value, options, null, false) as T;
}

function redactValue(value: unknown, options: RedactionOptions, key: string | null, byKey: boolean): unknown {
  if (byKey && key !== null && isSecretKey(key) && value !== null && value !== undefined && typeof value !== "boolean") return REDACTED;
  if (key !== null && options.redactIps && IP_KEY_PATTERN.test(key) && typeof value === "string") return REDACTED_IP;
  if (typeof value === "string") return redactText(value, options);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, options, null, byKey));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([entryKey, entry]) => [entryKey, redactValue(entry, options, entryKey, byKey)]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
