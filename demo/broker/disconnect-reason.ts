import type { EmqxDisconnectReason } from "@/demo/broker/emqx-lifecycle-format";

/** Raised by our authorizePublish hook; aedes turns it into a clientError and drops the connection. */
export class PublishNotAuthorizedError extends Error {
  constructor(topic: string) {
    super(`publish to ${topic} not authorized`);
    this.name = "PublishNotAuthorizedError";
  }
}

/** Raised by our authorizePublish hook when a client exceeds the broker's publish rate limit. */
export class PublishRateExceededError extends Error {
  constructor() {
    super("publish rate limit exceeded");
    this.name = "PublishRateExceededError";
  }
}

/** Error messages aedes 1.2 builds itself (lib/client.js, lib/handlers/*.js). */
const AEDES_ERROR_REASONS: ReadonlyArray<readonly [RegExp, EmqxDisconnectReason]> = [
  [/^keep alive timeout$/, "keepalive_timeout"],
  [/^Invalid protocol$/, "protocol_error"],
  [/^(# is not allowed|\+ is not allowed|empty topic not allowed) in PUBLISH$/, "topic_name_invalid"],
  [/^\$SYS\/ topic is reserved$/, "not_authorized"],
];

/** POSIX socket errors (ECONNRESET, EPIPE, ETIMEDOUT, …); Node's own ERR_* codes are not socket errors. */
const POSIX_ERROR_CODE = /^E[A-Z0-9]+$/;

/**
 * The EMQX reason for a connection that ended because of `error`. EMQX reports a socket error as the
 * lower-case POSIX atom (`{sock_error, econnreset}` → `econnreset`) and anything it cannot name as `internal_error`.
 */
export function mapClientErrorToReason(error: Error): EmqxDisconnectReason {
  if (error instanceof PublishNotAuthorizedError) return "not_authorized";
  if (error instanceof PublishRateExceededError) return "message_rate_too_high";
  const code: unknown = "code" in error ? error.code : undefined;
  if (typeof code === "string" && POSIX_ERROR_CODE.test(code)) return `e${code.slice(1).toLowerCase()}`;
  for (const [pattern, reason] of AEDES_ERROR_REASONS) {
    if (pattern.test(error.message)) return reason;
  }
  return "internal_error";
}

/** Why a connection ended, strongest evidence first: our own action, then an error seen before the close, then the packet. */
export function decideDisconnectReason(evidence: {
  forced: EmqxDisconnectReason | undefined;
  observed: EmqxDisconnectReason | undefined;
  sentDisconnect: boolean;
}): EmqxDisconnectReason {
  return evidence.forced ?? evidence.observed ?? (evidence.sentDisconnect ? "normal" : "tcp_closed");
}
