import { Prisma, type Db } from "@/lib/db/client.ts";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { decodeText } from "@/lib/sources/adapter-kit.ts";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { MQTT_SOURCE_ADAPTERS, type MqttSourceAdapter } from "@/lib/sources/registry.ts";
import { isDatabaseUnavailable, readDatabaseErrorLine } from "@/lib/db/database-unavailable.ts";
import { boundDeadLetterError, MAX_DEAD_LETTER_BYTES } from "./dead-letters.ts";
import { recordIngestBatch } from "./record-events.ts";
import { createRecordProcessor } from "./record-processor.ts";
import { readsRecords } from "./record-reader.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlBigInt, SqlDate } from "@/lib/db/sql-values.ts";

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
 * Runs unresolved dead letters through today's adapters (after a fix or a new adapter version). Those that
 * now parse are written through the idempotent writer and marked resolved; the rest stay, with today's error stored
 * as their reason. Each is parsed and written alone, so one the database still refuses never blocks the others, and
 * stateful context (Mosquitto's preceding lines) is not available to it.
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
    const outcome =
      payload.length < row.payload_bytes && row.payload_bytes > MAX_DEAD_LETTER_BYTES
        ? ({ ok: false, error: "only a truncated copy of this input was kept; it cannot be re-processed" } as const)
        : reparse(row.source, row.topic, payload, row.received_at);
    const written = outcome.ok ? await writeResolved(db, row.id, outcome.events) : outcome;
    if (!written.ok) {
      result.stillFailing.push({ id: row.id, error: written.error });
      if (written.error !== row.error)
        await db.deadLetter.update({ where: { id: row.id }, data: { error: boundDeadLetterError(written.error) }, select: { id: true } });
      continue;
    }
    result.resolved += 1;
    result.events += written.events.length;
  }
  return result;
}

/** Written and marked resolved, or the database's reason for refusing it (an outage is thrown: nothing is wrong with it). */
async function writeResolved(db: Db, id: bigint, events: ConnectionEvent[]): Promise<AdapterResult> {
  try {
    if (events.length > 0) await recordIngestBatch(db, { events });
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    return { ok: false, error: `the database refused this event: ${readDatabaseErrorLine(error)}` };
  }
  await db.deadLetterResolution.create({ data: { deadLetterId: id, events: events.length } });
  return { ok: true, events };
}

function reparse(source: string, topic: string | null, payload: Buffer, receivedAt: Date): AdapterResult {
  try {
    const format = formatOf(topic);
    if (format) return parseWithFormat(format, payload, receivedAt);
    const adapter = adapterOf(source, topic);
    if (!adapter || topic === null) return { ok: false, error: `no adapter known for source ${source} and topic ${topic ?? "(none)"}` };
    const parse = adapter.createParser?.({ brokerNode: null }) ?? adapter.parse;
    return parse(topic, payload);
  } catch (error) {
    return { ok: false, error: `adapter crashed: ${(error as Error).message}` };
  }
}

/** Webhook and import dead letters name their format in the topic: `webhook:<format>`, `import:<format>:<file>`. */
function formatOf(topic: string | null): RecordFormat | null {
  const match = topic ? /^(?:webhook|import):([a-z0-9-]+)/.exec(topic) : null;
  return match?.[1] ? getRecordFormat(match[1]) : null;
}

/** Through the record processor webhooks and imports use, so a record inside an export wrapper is read the same way. */
function parseWithFormat(format: RecordFormat, payload: Buffer, receivedAt: Date): AdapterResult {
  const decoded = decodeText(payload);
  if (!decoded.ok) return decoded;
  // A year-less syslog time is placed relative to when the line first came, not to today.
  const processor = createRecordProcessor(format, null, { syslogYear: { reference: receivedAt } });
  if (format.input === "lines" && !readsRecords(format, decoded.text)) processor.pushLine(decoded.text);
  else processor.pushJson({ ok: true, text: decoded.text });
  const { events, deadLetters } = processor.drain();
  const rejection = deadLetters[0];
  return rejection ? { ok: false, error: rejection.error } : { ok: true, events };
}

function adapterOf(source: string, topic: string | null): MqttSourceAdapter | null {
  if (Object.hasOwn(MQTT_SOURCE_ADAPTERS, source)) return MQTT_SOURCE_ADAPTERS[source] ?? null;
  if (!topic) return null;
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
