/**
 * What a domain verb throws when it refuses: the kind of refusal, a stable machine-readable `code`, a sentence for
 * people and optional details. These know nothing of HTTP; `lib/http/error-response.ts` maps each kind to a status
 * once, and the worker and CLIs print the message.
 */
export type DomainErrorKind =
  | "invalid"
  | "not_authenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "unsupported_content"
  | "unprocessable"
  | "rate_limited"
  | "unavailable";

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input breaks a rule (a malformed field, a window that ends before it starts). */
export class InvalidInputError extends DomainError {
  override readonly kind = "invalid";
}

/** The caller could not be identified (unknown, expired or revoked credentials). */
export class NotAuthenticatedError extends DomainError {
  override readonly kind = "not_authenticated";
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  override readonly kind = "forbidden";
}

export class NotFoundError extends DomainError {
  override readonly kind = "not_found";
}

/** The request clashes with the current state (a taken name, the last admin, an alert that is not firing). */
export class ConflictError extends DomainError {
  override readonly kind = "conflict";
}

export class TooLargeError extends DomainError {
  override readonly kind = "too_large";
}

/** The content is of a kind this verb cannot read at all (e.g. a binary file given to a text import). */
export class UnsupportedContentError extends DomainError {
  override readonly kind = "unsupported_content";
}

/** Well-formed input that still cannot be used (e.g. a file that reads no events in the chosen format). */
export class UnprocessableInputError extends DomainError {
  override readonly kind = "unprocessable";
}

export class RateLimitedError extends DomainError {
  override readonly kind = "rate_limited";

  /** `retryAfterSeconds` is left out when no wait is known (e.g. the caller's previous run is still going). */
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
  }
}

/** The server is at a bound shared by everyone (not the caller's own); `retryAfterSeconds` says when to try again. */
export class UnavailableError extends DomainError {
  override readonly kind = "unavailable";

  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, { retryAfterSeconds });
  }
}
