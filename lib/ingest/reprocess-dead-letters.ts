import { Prisma, type Db } from "@/lib/db/client.ts";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseDeviceSample, type DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { DEVICE_EVIDENCE_UPLOAD_SOURCE } from "@/lib/device-evidence/import-device-evidence.ts";
import { rereadDeviceUpload } from "@/lib/device-evidence/reread-device-upload.ts";
import { decodeText } from "@/lib/sources/adapter-kit.ts";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { MQTT_SOURCE_ADAPTERS, type MqttSourceAdapter } from "@/lib/sources/registry.ts";
import { isDatabaseUnavailable, readDatabaseErrorLine } from "@/lib/db/database-unavailable.ts";
import { boundDeadLetterError } from "./dead-letters.ts";
import { AGENT_UPLOAD_SOURCE } from "./import-agent-export.ts";
import { recordIngestBatch } from "./record-events.ts";
import { createRecordProcessor } from "./record-processor.ts";
import { isGzip, iterateRecords, readsRecords, trimLogLine } from "./record-reader.ts";
import { decodeContentEncoding } from "./ingest-webhook.ts";
import { DomainError } from "@/lib/errors/domain-errors.ts";
import { readDeadLetterTopic, type DeadLetterTopic } from "./dead-letter-topics.ts";
import { refuseEventsFromTheFuture } from "./future-events.ts";
import { checkUploadRecord } from "./write-upload-records.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlDate } from "@/lib/db/sql-values.ts";

const UPLOAD_SOURCES: ReadonlySet<string> = new Set([AGENT_UPLOAD_SOURCE, DEVICE_EVIDENCE_UPLOAD_SOURCE]);

const OpenDeadLetterSchema = z.object({
  id: SqlBigInt,
  source: z.string(),
  topic: z.string().nullable(),
  payload: z.string(),
  payload_bytes: z.number(),
  error: z.string(),
  received_at: SqlDate,
});

export type ReprocessResult = { examined: number; resolved: number; stillFailing: { id: bigint; error: string }[]; events: number };

/**
 * Runs unresolved dead letters through today's parsers (after a fix or a new adapter version), each with the parser its
 * topic names (dead-letter-topics.ts): a record by its format or adapter, a refused event by the record it was read
 * from, a refused sample as the sample, a device upload by its upload reader. Those that now read are written through
 * the idempotent writer and marked resolved; the rest stay, with today's error stored as their reason (or why they can
 * never be read again). Each is parsed and written alone, so one the database still refuses never blocks the others, and
 * stateful context (Mosquitto's preceding lines, a system log's earlier lines) is not available to it.
 */
export async function reprocessDeadLetters(db: Db, input: { source?: string; ids?: bigint[]; limit?: number }): Promise<ReprocessResult> {
  const rows = await queryRows(
    db,
    "reprocessDeadLetters",
    OpenDeadLetterSchema,
    Prisma.sql`
    SELECT d.id, d.source, d.topic, d.payload, d.payload_bytes, d.error, d.received_at FROM dead_letters d
    LEFT JOIN dead_letter_resolutions r ON r.dead_letter_id = d.id
    WHERE r.dead_letter_id IS NULL
      AND (${input.source ?? null}::text IS NULL OR d.source = ${input.source ?? null}::text)
      AND (${input.ids ?? null}::bigint[] IS NULL OR d.id = ANY(${input.ids ?? null}::bigint[]))
    ORDER BY d.id LIMIT ${input.limit ?? 500}::int`,
  );
  const result: ReprocessResult = { examined: rows.length, resolved: 0, stillFailing: [], events: 0 };
  for (const row of rows) {
    const payload = row.payload.startsWith("base64:") ? Buffer.from(row.payload.slice(7), "base64") : Buffer.from(row.payload, "utf8");
    const outcome = payloadLost(payload, row.payload_bytes) ?? reread(row.source, readDeadLetterTopic(row.topic), payload, row.received_at);
    const written = outcome.ok ? await writeResolved(db, row.id, outcome) : outcome;
    if (!written.ok) {
      result.stillFailing.push({ id: row.id, error: written.error });
      if (written.error !== row.error)
        await db.deadLetter.update({ where: { id: row.id }, data: { error: boundDeadLetterError(written.error) }, select: { id: true } });
      continue;
    }
    result.resolved += 1;
    result.events += written.events;
  }
  return result;
}

/** Why a payload that is not the whole input can never be re-processed (a cut gzip file's break keeps none of it). */
function payloadLost(payload: Buffer, inputBytes: number): { ok: false; error: string } | null {
  if (payload.length < inputBytes) return { ok: false, error: "only a truncated copy of this input was kept; it cannot be re-processed" };
  if (payload.length === 0) return { ok: false, error: "nothing of this input was kept; it cannot be re-processed" };
  return null;
}

/** What a dead letter reads as today: the events and samples to write, or why it does not read. */
type Reread = { ok: true; events: ConnectionEvent[]; samples: DeviceSample[] } | { ok: false; error: string };

/** Written and marked resolved, or the database's reason for refusing it (an outage is thrown: nothing is wrong with it). */
async function writeResolved(
  db: Db,
  id: bigint,
  reread: { events: ConnectionEvent[]; samples: DeviceSample[] },
): Promise<{ ok: true; events: number } | { ok: false; error: string }> {
  const { events, samples } = reread;
  try {
    if (events.length > 0 || samples.length > 0) await recordIngestBatch(db, { events, samples });
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    const what = events.length > 0 ? "this event" : "this device sample";
    return { ok: false, error: `the database refused ${what}: ${readDatabaseErrorLine(error)}` };
  }
  await db.deadLetterResolution.create({ data: { deadLetterId: id, events: events.length } });
  return { ok: true, events: events.length };
}

function reread(source: string, topic: DeadLetterTopic, payload: Buffer, receivedAt: Date): Reread {
  try {
    switch (topic.kind) {
      case "record":
        return fromAdapter(reparse(source, topic.topic, payload, receivedAt));
      case "mqtt":
        return fromAdapter(reparseMessage(source, topic.topic, payload, receivedAt));
      case "refused":
        // The record the refused event was read from, read as it was then.
        return reread(source, readDeadLetterTopic(topic.origin), payload, receivedAt);
      case "refused-sample": {
        const read = parseDeviceSample(payload.toString("utf8"));
        return read.ok ? { ok: true, events: [], samples: [read.sample] } : read;
      }
      case "device-upload":
        // Only the upload routes write these topics; any other source claiming one is not believed (decision 085).
        if (!UPLOAD_SOURCES.has(source))
          return { ok: false, error: `cannot be re-processed: source ${source} does not upload device files` };
        return rereadUpload(topic, payload, receivedAt);
      case "origin-unknown":
        return { ok: false, error: ORIGIN_UNKNOWN[topic.was] };
    }
  } catch (error) {
    return { ok: false, error: `adapter crashed: ${(error as Error).message}` };
  }
}

/** Dead letters kept before their topic named a parser: no parser can be chosen for them, and none is guessed. */
const ORIGIN_UNKNOWN: Record<Extract<DeadLetterTopic, { kind: "origin-unknown" }>["was"], string> = {
  "refused-event":
    "cannot be re-processed: this event was refused by the database before Linkscope kept the record it was read from and its format; send, import or upload that record again",
  upload:
    "cannot be re-processed: this upload entry was kept before Linkscope recorded which reader read it; upload the file again on the device page",
  none: "cannot be re-processed: this dead letter does not record where it came from (kept before Linkscope recorded it); upload or send the input again",
};

function fromAdapter(result: AdapterResult): Reread {
  return result.ok ? { ok: true, events: result.events, samples: result.samples ?? [] } : result;
}

/** Through the upload reader and the upload's checks; a record that still does not read keeps the letter open. */
function rereadUpload(topic: Extract<DeadLetterTopic, { kind: "device-upload" }>, payload: Buffer, receivedAt: Date): Reread {
  const text = decodeText(payload);
  if (!text.ok) return text;
  const read = rereadDeviceUpload(topic.reader, topic.deviceId, text.text, receivedAt);
  if (!read.ok) return { ok: false, error: `${read.error} (device ${topic.deviceId})` };
  const events: ConnectionEvent[] = [];
  for (const record of read.records) {
    const checked = checkUploadRecord(record, new Date());
    if (!checked.ok) {
      const where = read.records.length > 1 ? `${record.where}: ` : "";
      return { ok: false, error: `${where}${checked.error} (device ${topic.deviceId})` };
    }
    events.push(...checked.events);
  }
  return { ok: true, events, samples: read.samples };
}

function reparse(source: string, topic: string, payload: Buffer, receivedAt: Date): AdapterResult {
  const format = formatOf(topic);
  return format ? parseWithFormat(format, topic, payload, receivedAt) : reparseMessage(source, topic, payload, receivedAt);
}

/** As the worker read the MQTT message, by its source's adapter, whatever its topic says. */
function reparseMessage(source: string, topic: string, payload: Buffer, receivedAt: Date): AdapterResult {
  const adapter = adapterOf(source, topic);
  if (!adapter) return { ok: false, error: `no adapter known for source ${source} and topic ${topic}` };
  const parse = adapter.createParser?.({ brokerNode: null }) ?? adapter.parse;
  // As the worker reads a message: the time of one that carries none, and the ten-year bound, from its receipt.
  return refuseEventsFromTheFuture(parse(topic, payload, { receivedAt }), receivedAt.getTime());
}

/** Webhook and import dead letters name their format in the topic: `webhook:<format>`, `import:<format>:<file>`. */
function formatOf(topic: string): RecordFormat | null {
  const match = /^(?:webhook|import):([a-z0-9-]+)/.exec(topic);
  return match?.[1] ? getRecordFormat(match[1]) : null;
}

/**
 * Through the record processor webhooks and imports use, so a record inside an export wrapper is read the same way. A
 * webhook's dead letter may be its whole body (malformed, not UTF-8, or gzip that did not inflate): it is read as the
 * webhook reads a body, and every record it holds must read. An import's dead letter is always one record or line.
 */
function parseWithFormat(format: RecordFormat, topic: string, payload: Buffer, receivedAt: Date): AdapterResult {
  const fromWebhook = topic.startsWith("webhook:");
  const inflated = fromWebhook ? inflateWebhookBody(payload) : ({ ok: true, body: payload } as const);
  if (!inflated.ok) return inflated;
  const decoded = decodeText(inflated.body);
  if (!decoded.ok) return decoded;
  // A year-less syslog time is placed relative to when the line first came, not to today.
  const processor = createRecordProcessor(format, null, { syslogYear: { reference: receivedAt } });
  const asRecords = readsRecords(format, decoded.text);
  if (!fromWebhook) {
    if (asRecords) processor.pushJson({ ok: true, text: decoded.text });
    else processor.pushLine(decoded.text);
  } else if (asRecords) for (const record of iterateRecords(format, decoded.text)) processor.pushJson(record);
  else for (const line of decoded.text.split("\n")) processor.pushLine(trimLogLine(line));
  if (processor.counts().records === 0) return { ok: false, error: `holds no record that format ${format.name} reads` };
  const { events, deadLetters } = processor.drain();
  const rejection = deadLetters[0];
  return rejection ? { ok: false, error: rejection.error } : { ok: true, events };
}

/** A body sent with Content-Encoding gzip is kept as sent when it does not inflate; no record or log line starts so. */
function inflateWebhookBody(payload: Buffer): { ok: true; body: Buffer } | { ok: false; error: string } {
  if (!isGzip(payload)) return { ok: true, body: payload };
  try {
    return { ok: true, body: decodeContentEncoding(payload, "gzip") };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { ok: false, error: `body does not inflate (gzip): ${error.message}` };
  }
}

function adapterOf(source: string, topic: string): MqttSourceAdapter | null {
  if (Object.hasOwn(MQTT_SOURCE_ADAPTERS, source)) return MQTT_SOURCE_ADAPTERS[source] ?? null;
  const name =
    topic.startsWith("$SYS/brokers/") || topic.startsWith("$events/")
      ? "emqx"
      : topic.startsWith("$aws/events/")
        ? "aws-iot"
        : topic.startsWith("$SYS/broker/log/")
          ? "mosquitto"
          : /^\$SYS\/[^/]+\/(new|disconnect)\/clients$/.test(topic)
            ? "aedes"
            : null;
  return name ? (MQTT_SOURCE_ADAPTERS[name] ?? null) : null;
}
