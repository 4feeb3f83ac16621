import {
  EARLIEST_EVENT_TIME,
  EVENT_KINDS,
  hasControlCharacters,
  INITIATORS,
  LATEST_EVENT_TIME,
  MAX_ORDERING,
  MIN_ORDERING,
  REASONS,
  type ConnectionEvent,
  type EventKind,
  type Initiator,
  type Reason,
} from "./connection-event.ts";

type RequiredField = "deviceId" | "kind" | "occurredAt" | "reason" | "initiator" | "source" | "feed" | "dedupeKey" | "raw";

/** What an adapter knows about an event; every optional field it leaves out is null (flags: none). */
export type ConnectionEventFields = Pick<ConnectionEvent, RequiredField> & Partial<Omit<ConnectionEvent, RequiredField>>;

/**
 * The canonical event in one object literal, in the schema's key order. Spreading defaults and a common part into
 * each event built three objects per event, each copying every field (decision 045).
 */
export function buildConnectionEvent(fields: ConnectionEventFields): ConnectionEvent {
  return {
    deviceId: fields.deviceId,
    kind: fields.kind,
    occurredAt: fields.occurredAt,
    reason: fields.reason,
    initiator: fields.initiator,
    code: fields.code ?? null,
    message: fields.message ?? null,
    source: fields.source,
    feed: fields.feed,
    brokerNode: fields.brokerNode ?? null,
    sessionKey: fields.sessionKey ?? null,
    ordering: fields.ordering ?? null,
    clientIp: fields.clientIp ?? null,
    clientPort: fields.clientPort ?? null,
    protocolVersion: fields.protocolVersion ?? null,
    keepaliveSec: fields.keepaliveSec ?? null,
    cleanStart: fields.cleanStart ?? null,
    sessionPresent: fields.sessionPresent ?? null,
    username: fields.username ?? null,
    tls: fields.tls ?? null,
    flags: fields.flags ?? [],
    dedupeKey: fields.dedupeKey,
    raw: fields.raw,
  };
}

const KINDS = new Set<string>(EVENT_KINDS);
const CANONICAL_REASONS = new Set<string>(REASONS);
const EVENT_INITIATORS = new Set<string>(INITIATORS);

/**
 * Plain checks that imply ConnectionEventSchema accepts the event unchanged: the common case skips the zod parse.
 * False does not mean invalid, only "let zod decide" (and word the rejection), so this may be stricter, never looser.
 */
export function isPlainValidConnectionEvent(event: ConnectionEvent): boolean {
  return (
    typeof event.deviceId === "string" &&
    event.deviceId.length >= 1 &&
    event.deviceId.length <= 512 &&
    !hasControlCharacters(event.deviceId) &&
    KINDS.has(event.kind satisfies EventKind) &&
    event.occurredAt instanceof Date &&
    event.occurredAt.getTime() >= EARLIEST_EVENT_TIME.getTime() &&
    event.occurredAt.getTime() <= LATEST_EVENT_TIME.getTime() &&
    CANONICAL_REASONS.has(event.reason satisfies Reason) &&
    EVENT_INITIATORS.has(event.initiator satisfies Initiator) &&
    isTextOrNull(event.code, 200) &&
    isTextOrNull(event.message, 2000) &&
    typeof event.source === "string" &&
    event.source.length >= 1 &&
    event.source.length <= 100 &&
    (event.feed === null || (typeof event.feed === "string" && event.feed.length >= 1 && event.feed.length <= 100)) &&
    isTextOrNull(event.brokerNode, 300) &&
    isTextOrNull(event.sessionKey, 600) &&
    (event.ordering === null || (typeof event.ordering === "bigint" && event.ordering >= MIN_ORDERING && event.ordering <= MAX_ORDERING)) &&
    isTextOrNull(event.clientIp, 100) &&
    (event.clientPort === null || (Number.isSafeInteger(event.clientPort) && event.clientPort >= 0 && event.clientPort <= 65535)) &&
    (event.protocolVersion === null ||
      (Number.isSafeInteger(event.protocolVersion) && event.protocolVersion >= 0 && event.protocolVersion <= 255)) &&
    (event.keepaliveSec === null ||
      (Number.isSafeInteger(event.keepaliveSec) && event.keepaliveSec >= 0 && event.keepaliveSec <= 65_535)) &&
    isBooleanOrNull(event.cleanStart) &&
    isBooleanOrNull(event.sessionPresent) &&
    isTextOrNull(event.username, 300) &&
    isBooleanOrNull(event.tls) &&
    Array.isArray(event.flags) &&
    event.flags.every((flag) => typeof flag === "string") &&
    typeof event.dedupeKey === "string" &&
    event.dedupeKey.length >= 16 &&
    event.dedupeKey.length <= 128
  );
}

/** NUL is left to the schema, which replaces it (Postgres text cannot hold it). */
function isTextOrNull(value: unknown, max: number): boolean {
  return value === null || (typeof value === "string" && value.length <= max && !value.includes("\u0000"));
}

function isBooleanOrNull(value: unknown): boolean {
  return value === null || typeof value === "boolean";
}
