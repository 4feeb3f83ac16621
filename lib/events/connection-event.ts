import { z } from "zod";
import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";

/** Canonical reasons every vendor code maps to (DESIGN.md "The canonical event"). */
export const REASONS = [
  "connected",
  "client_disconnect",
  "connection_lost",
  "keepalive_timeout",
  "idle_timeout",
  "session_taken_over",
  "auth_failed",
  "credential_expired",
  "not_authorized",
  "tls_error",
  "protocol_error",
  "throttled",
  "quota_exceeded",
  "server_error",
  "server_shutdown",
  "admin_disconnect",
  "session_ttl",
  "unknown",
] as const;
export const ReasonSchema = z.enum(REASONS);
export type Reason = z.infer<typeof ReasonSchema>;

export const EVENT_KINDS = ["connected", "disconnected", "connect_failed", "device_report"] as const;
export const EventKindSchema = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKindSchema>;

export const INITIATORS = ["client", "server", "network", "unknown"] as const;
export const InitiatorSchema = z.enum(INITIATORS);
export type Initiator = z.infer<typeof InitiatorSchema>;

/** Bound on the stored raw payload; larger payloads are truncated and flagged. */
export const MAX_RAW_BYTES = 16 * 1024;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** Device IDs are arbitrary text (slashes and unicode included), but never empty, huge, or carrying control characters. */
export const DeviceIdSchema = z
  .string()
  .min(1, "device ID is empty")
  .max(512, "device ID longer than 512 characters")
  .refine((id) => !hasControlCharacters(id), "device ID contains control characters");

/**
 * Times both Postgres and ISO 8601's four-digit years hold, from the Unix epoch on: `toISOString()` writes later years
 * as `+275760-…`, which Postgres misreads, and it has no year 0. Epoch numbers below 0 are refused by the readers.
 */
export const EARLIEST_EVENT_TIME = new Date(0);
export const LATEST_EVENT_TIME = new Date(Date.UTC(10_000, 0, 1) - 1);

/** Postgres text cannot hold NUL: it is replaced by U+FFFD, as lone surrogates are (the rest of the text is kept). */
export function replaceNul(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

/** Postgres bigint, where the ordering key is stored. */
export const MIN_ORDERING = -(2n ** 63n);
export const MAX_ORDERING = 2n ** 63n - 1n;

/** Vendor text kept on the event: bounded, stored as Postgres text. */
const StoredText = (max: number) => z.string().max(max).transform(replaceNul);

export const ConnectionEventSchema = z.object({
  deviceId: DeviceIdSchema,
  kind: EventKindSchema,
  occurredAt: z.date().min(EARLIEST_EVENT_TIME, "time before 1970-01-01").max(LATEST_EVENT_TIME, "time after 9999-12-31"),
  reason: ReasonSchema,
  initiator: InitiatorSchema,
  /** Vendor code verbatim, namespaced: "emqx:takenover", "connack:5", "azure:404104". */
  code: StoredText(200).nullable(),
  message: StoredText(2000).nullable(),
  /** Adapter that produced the event, e.g. "emqx-sys". */
  source: z.string().min(1).max(100),
  /**
   * The adapter's input shape within its source ("aws-iot:presence", "aws-iot:cloudwatch"; lib/events/feeds.ts): two
   * feeds of one platform log the same moment under different dedupe keys, and the diagnosis counts it once.
   */
  feed: z.string().min(1).max(100).nullable(),
  brokerNode: StoredText(300).nullable(),
  /** Ties a connect to its disconnect. */
  sessionKey: StoredText(600).nullable(),
  /** Source ordering key where the source has one; arrival order is not trusted. */
  ordering: z.bigint().min(MIN_ORDERING).max(MAX_ORDERING).nullable(),
  clientIp: StoredText(100).nullable(),
  clientPort: z.number().int().min(0).max(65535).nullable(),
  /** The CONNECT packet's protocol level: one byte. */
  protocolVersion: z.number().int().min(0).max(255).nullable(),
  /** MQTT's keep alive is a two-byte field. */
  keepaliveSec: z.number().int().min(0).max(65_535).nullable(),
  cleanStart: z.boolean().nullable(),
  sessionPresent: z.boolean().nullable(),
  username: StoredText(300).nullable(),
  tls: z.boolean().nullable(),
  /** Contradictions between source fields, kept rather than silently resolved. */
  flags: z.array(z.string()),
  dedupeKey: z.string().min(16).max(128),
  raw: z.unknown(),
});
export type ConnectionEvent = z.infer<typeof ConnectionEventSchema>;

/** What an adapter returns for one input: events, or a rejection with a reason for the dead-letter store. */
export type AdapterResult =
  /** `samples`: what the device measured (agent vitals and publish counts), stored beside the events. */
  { ok: true; events: ConnectionEvent[]; samples?: DeviceSample[] } | { ok: false; error: string };

/** Fields an adapter usually leaves unset; spread first, then override. */
export const EVENT_DEFAULTS = {
  code: null,
  message: null,
  feed: null,
  brokerNode: null,
  sessionKey: null,
  ordering: null,
  clientIp: null,
  clientPort: null,
  protocolVersion: null,
  keepaliveSec: null,
  cleanStart: null,
  sessionPresent: null,
  username: null,
  tls: null,
  flags: [],
} satisfies Partial<ConnectionEvent>;
