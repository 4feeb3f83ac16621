import { Prisma } from "@/lib/db/client.ts";
import { ReasonSchema, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { feedMoments, informationOf } from "@/lib/events/merge-feed-records.ts";
import { feedPrecedence, WIDEST_SAME_MOMENT_TOLERANCE_MS } from "@/lib/events/feeds.ts";
import { z } from "zod";
import { unnestRows } from "./unnest-rows.ts";
import type { WriterTx } from "./writer-transaction.ts";

/**
 * One platform fed twice (AWS's lifecycle topic and its CloudWatch log, Event Grid and the Connections log) stores each
 * moment once per feed. The record stored first drives the device's sessions, state, counters and rollups; another
 * feed's record of the same moment is an echo: stored, marked with the record it repeats, and nothing else
 * (decision 080). Only a device two feeds of one source have reported is checked, so a single-fed fleet pays nothing
 * but its devices' feed lists. When a later record says more than the stored one that drove its moment (IoT Hub's
 * Connections log after Event Grid's reasonless record), it takes the moment over: an upgrade.
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
  reason: ReasonSchema,
  code: z.string().nullable(),
  source: z.string(),
  broker_node: z.string().nullable(),
  feed: z.string(),
  echo_of: z.string().nullable(),
});
export type WindowRecord = z.infer<typeof WindowRecordSchema>;

/** A stored record that drove its moment, replaced by a batch record of it that says more. */
export type FeedUpgrade = { driver: bigint; replaced: WindowRecord };

export type FeedEchoes = {
  /** Batch records that repeat a moment, each with the record that drives it. */
  echoes: Map<bigint, bigint>;
  upgrades: FeedUpgrade[];
};

const NO_ECHOES: FeedEchoes = { echoes: new Map(), upgrades: [] };

/**
 * The batch's events that repeat a moment another feed's record (stored earlier, or earlier in this batch) logged,
 * each with the ID of the record that drives that moment. Reads the stored records around the batch's events of devices
 * two feeds report, and matches them into moments as the diagnosis does (lib/events/merge-feed-records.ts).
 */
export async function findFeedEchoes(
  tx: WriterTx,
  events: readonly StoredEvent[],
  feedsOf: (deviceId: string) => readonly string[],
): Promise<FeedEchoes> {
  const spans = new Map<string, { from: number; to: number }>();
  for (const event of events) {
    if (!event.feed || !ECHOING_KINDS.has(event.kind) || !feedsTwice(feedsOf(event.deviceId))) continue;
    const at = event.occurredAt.getTime();
    const span = spans.get(event.deviceId);
    if (!span) spans.set(event.deviceId, { from: at, to: at });
    else [span.from, span.to] = [Math.min(span.from, at), Math.max(span.to, at)];
  }
  if (spans.size === 0) return NO_ECHOES;
  const records = await tx.rows(
    "loadFeedEchoWindow",
    WindowRecordSchema,
    Prisma.sql`
    SELECT e.id, e.device_id, e.kind::text AS kind, e.occurred_at, e.reason::text AS reason, e.code, e.source, e.broker_node, e.feed,
           e.echo_of
    FROM ${unnestRows(
      [...spans.entries()],
      [
        ["device_id", "text", ([id]) => id],
        ["from_at", "timestamptz", ([, span]) => new Date(span.from - WIDEST_SAME_MOMENT_TOLERANCE_MS).toISOString()],
        ["to_at", "timestamptz", ([, span]) => new Date(span.to + WIDEST_SAME_MOMENT_TOLERANCE_MS).toISOString()],
      ],
    )}
    CROSS JOIN LATERAL (
      SELECT x.id, x.device_id, x.kind, x.occurred_at, x.reason, x.code, x.source, x.broker_node, x.feed, x.echo_of
      FROM connection_events x
      WHERE x.device_id = u.device_id AND x.occurred_at >= u.from_at AND x.occurred_at <= u.to_at
        AND x.feed IS NOT NULL AND x.kind IN ('connected', 'disconnected', 'connect_failed')
    ) e`,
  );
  const batch = new Set(events.map((event) => event.id.toString()));
  return echoesAmong(records, batch);
}

/**
 * Of each moment, the record stored first (lowest ID) drives it, or the one a stored echo of it names; the batch's other
 * records of the moment echo it. A moment only this batch logged is driven by its record that says the most. A batch
 * record that says more than a stored driver (a code or a reason where it had none) takes the moment over.
 */
export function echoesAmong(records: readonly WindowRecord[], batch: ReadonlySet<string>): FeedEchoes {
  const byDevice = new Map<string, WindowRecord[]>();
  for (const record of records) {
    const list = byDevice.get(record.device_id);
    if (list) list.push(record);
    else byDevice.set(record.device_id, [record]);
  }
  const result: FeedEchoes = { echoes: new Map(), upgrades: [] };
  for (const list of byDevice.values()) {
    const moments = feedMoments(list.map((record) => ({ ...record, occurredAt: record.occurred_at })));
    for (const members of moments) {
      const { driver, replaced } = driverOf(members, batch);
      if (replaced) result.upgrades.push({ driver, replaced });
      for (const member of members) {
        const id = BigInt(member.id);
        if (batch.has(member.id) && id !== driver) result.echoes.set(id, driver);
      }
    }
  }
  return result;
}

const byId = (a: WindowRecord, b: WindowRecord) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);
/** As the diagnosis keeps one record of a moment: the one that says more, then the feed listed first (feeds.ts). */
const mostTelling = (a: WindowRecord, b: WindowRecord) =>
  informationOf(b) - informationOf(a) || feedPrecedence(a.feed) - feedPrecedence(b.feed) || byId(a, b);

function driverOf(members: readonly WindowRecord[], batch: ReadonlySet<string>): { driver: bigint; replaced?: WindowRecord } {
  const fresh = members.filter((member) => batch.has(member.id)).sort(mostTelling);
  const stored = members.filter((member) => !batch.has(member.id));
  const named = stored.find((member) => member.echo_of !== null)?.echo_of ?? null;
  const current = stored.find((member) => member.id === named) ?? (named === null ? stored.sort(byId)[0] : undefined);
  const best = fresh[0];
  if (!current) return { driver: BigInt(named ?? best?.id ?? members[0]?.id ?? 0) };
  if (best && current.kind !== "connected" && informationOf(best) > informationOf(current))
    return { driver: BigInt(best.id), replaced: current };
  return { driver: BigInt(current.id) };
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

/**
 * Hands each upgraded moment to its new driver: the record it replaces, and the echoes that named that record, now name
 * the new one; so does the session the replaced record ended.
 */
export function upgradeStatements(upgrades: readonly FeedUpgrade[]): Prisma.Sql[] {
  if (upgrades.length === 0) return [];
  const rows = unnestRows(upgrades, [
    ["device_id", "text", (u) => u.replaced.device_id],
    ["replaced", "bigint", (u) => u.replaced.id],
    ["from_at", "timestamptz", (u) => new Date(u.replaced.occurred_at.getTime() - WIDEST_SAME_MOMENT_TOLERANCE_MS).toISOString()],
    ["to_at", "timestamptz", (u) => new Date(u.replaced.occurred_at.getTime() + WIDEST_SAME_MOMENT_TOLERANCE_MS).toISOString()],
    ["driver", "bigint", (u) => u.driver.toString()],
  ]);
  return [
    Prisma.sql`
    UPDATE connection_events e SET echo_of = u.driver FROM ${rows}
    WHERE e.device_id = u.device_id AND e.occurred_at >= u.from_at AND e.occurred_at <= u.to_at
      AND (e.id = u.replaced OR e.echo_of = u.replaced)`,
  ];
}
