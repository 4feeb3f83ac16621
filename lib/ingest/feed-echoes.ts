import { Prisma } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { feedMoments } from "@/lib/events/merge-feed-records.ts";
import { WIDEST_SAME_MOMENT_TOLERANCE_MS } from "@/lib/events/feeds.ts";
import { z } from "zod";
import { unnestRows } from "./unnest-rows.ts";
import type { WriterTx } from "./writer-transaction.ts";

/**
 * One platform fed twice (AWS's lifecycle topic and its CloudWatch log, Event Grid and the Connections log) stores each
 * moment once per feed. The record stored first drives the device's sessions, state, counters and rollups; another
 * feed's record of the same moment is an echo: stored, marked with the record it repeats, and nothing else
 * (decision 080). Only a device two feeds of one source have reported is checked, so a single-fed fleet pays nothing
 * but its devices' feed lists.
 */

type StoredEvent = ConnectionEvent & { id: bigint };

const ECHOING_KINDS = new Set<string>(["connected", "disconnected", "connect_failed"]);

/** Each device's feed list after this batch, for the devices whose list grows; the rest keep theirs. */
export function grownFeedLists(known: ReadonlyMap<string, readonly string[]>, events: readonly StoredEvent[]): Map<string, string[]> {
  const grown = new Map<string, string[]>();
  for (const event of events) {
    if (!event.feed || !ECHOING_KINDS.has(event.kind)) continue;
    const list = grown.get(event.deviceId) ?? known.get(event.deviceId) ?? [];
    if (list.includes(event.feed)) continue;
    grown.set(event.deviceId, [...list, event.feed].sort());
  }
  return grown;
}

/** Two feeds of one source (`aws-iot:presence`, `aws-iot:cloudwatch`): only such a device's records can echo. */
function feedsTwice(feeds: readonly string[]): boolean {
  const sources = feeds.map((feed) => feed.split(":")[0]);
  return new Set(sources).size < sources.length;
}

const WindowRecordSchema = z.object({
  id: z.string(),
  device_id: z.string(),
  kind: z.enum(["connected", "disconnected", "connect_failed"]),
  occurred_at: z.date(),
  reason: z.string(),
  code: z.string().nullable(),
  source: z.string(),
  feed: z.string(),
  echo_of: z.string().nullable(),
});
type WindowRecord = z.infer<typeof WindowRecordSchema>;

/**
 * The batch's events that repeat a moment another feed's record (stored earlier, or earlier in this batch) logged,
 * each with the ID of the record that drives that moment. Reads the stored records around the batch's events of devices
 * two feeds report, and matches them into moments as the diagnosis does (lib/events/merge-feed-records.ts).
 */
export async function findFeedEchoes(
  tx: WriterTx,
  events: readonly StoredEvent[],
  feedsOf: (deviceId: string) => readonly string[],
): Promise<Map<bigint, bigint>> {
  const spans = new Map<string, { from: number; to: number }>();
  for (const event of events) {
    if (!event.feed || !ECHOING_KINDS.has(event.kind) || !feedsTwice(feedsOf(event.deviceId))) continue;
    const at = event.occurredAt.getTime();
    const span = spans.get(event.deviceId);
    if (!span) spans.set(event.deviceId, { from: at, to: at });
    else [span.from, span.to] = [Math.min(span.from, at), Math.max(span.to, at)];
  }
  if (spans.size === 0) return new Map();
  const records = await tx.rows(
    "loadFeedEchoWindow",
    WindowRecordSchema,
    Prisma.sql`
    SELECT e.id, e.device_id, e.kind::text AS kind, e.occurred_at, e.reason::text AS reason, e.code, e.source, e.feed, e.echo_of
    FROM ${unnestRows(
      [...spans.entries()],
      [
        ["device_id", "text", ([id]) => id],
        ["from_at", "timestamptz", ([, span]) => new Date(span.from - WIDEST_SAME_MOMENT_TOLERANCE_MS).toISOString()],
        ["to_at", "timestamptz", ([, span]) => new Date(span.to + WIDEST_SAME_MOMENT_TOLERANCE_MS).toISOString()],
      ],
    )}
    CROSS JOIN LATERAL (
      SELECT x.id, x.device_id, x.kind, x.occurred_at, x.reason, x.code, x.source, x.feed, x.echo_of FROM connection_events x
      WHERE x.device_id = u.device_id AND x.occurred_at >= u.from_at AND x.occurred_at <= u.to_at
        AND x.feed IS NOT NULL AND x.kind IN ('connected', 'disconnected', 'connect_failed')
    ) e`,
  );
  const batch = new Set(events.map((event) => event.id.toString()));
  return echoesAmong(records, batch);
}

/**
 * Of each moment, the record stored first (lowest ID) drives it; the batch's other records of the moment echo it. A
 * stored echo keeps the record it named, so a moment is never driven twice.
 */
export function echoesAmong(records: readonly WindowRecord[], batch: ReadonlySet<string>): Map<bigint, bigint> {
  const byDevice = new Map<string, WindowRecord[]>();
  for (const record of records) {
    const list = byDevice.get(record.device_id);
    if (list) list.push(record);
    else byDevice.set(record.device_id, [record]);
  }
  const echoes = new Map<bigint, bigint>();
  for (const list of byDevice.values()) {
    const moments = feedMoments(list.map((record) => ({ ...record, occurredAt: record.occurred_at, reason: record.reason as never })));
    for (const members of moments) {
      const driver = driverOf(members);
      for (const member of members) {
        const id = BigInt(member.id);
        if (batch.has(member.id) && id !== driver) echoes.set(id, driver);
      }
    }
  }
  return echoes;
}

/** The record a stored echo of the moment names, else the moment's record stored first. */
function driverOf(members: readonly WindowRecord[]): bigint {
  const named = members.find((member) => member.echo_of !== null)?.echo_of;
  if (named) return BigInt(named);
  return members.map((member) => BigInt(member.id)).reduce((lowest, id) => (id < lowest ? id : lowest));
}

/** Marks the batch's echoes on their rows (`echo_of`): a later rebuild of the device's keyless sessions skips them. */
export function markEchoesSql(events: readonly StoredEvent[], echoes: ReadonlyMap<bigint, bigint>): Prisma.Sql {
  const rows = events.filter((event) => echoes.has(event.id));
  return Prisma.sql`
    UPDATE connection_events e SET echo_of = u.echo_of
    FROM ${unnestRows(rows, [
      ["id", "bigint", (e) => e.id.toString()],
      ["occurred_at", "timestamptz", (e) => e.occurredAt.toISOString()],
      ["echo_of", "bigint", (e) => (echoes.get(e.id) ?? 0n).toString()],
    ])}
    WHERE e.id = u.id AND e.occurred_at = u.occurred_at`;
}
