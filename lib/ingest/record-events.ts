import { Prisma, type Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { boundRaw } from "./bound-raw.ts";
import { toDeadLetterRow, type DeadLetterInput } from "./dead-letters.ts";
import { insertEventRowsSql, type EventRow } from "./event-rows.ts";
import { foldDeviceState, type DeviceStateRow, type DeviceStateUpdate } from "./device-state.ts";
import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { recordDeviceSamples } from "@/lib/device-evidence/device-samples.ts";
import {
  closeSessionsSupersededByLaterConnects,
  compareEvents,
  endKeyedSessionsAtKeylessDisconnects,
  keyedSessionStatements,
  keylessSessionStatements,
} from "./session-statements.ts";
import { findFeedEchoes, grownFeedLists, markEchoesSql, upgradeStatements, type FeedUpgrade } from "./feed-echoes.ts";
import { rollupShardSql } from "./rollup-shard.ts";
import {
  codeFirstSeenStatements,
  connectedGaugeStatements,
  deviceDropMinuteStatements,
  deviceReasonMinuteStatements,
  minuteOf,
  replacedRecord,
  rollupStatements,
  type CountedEvent,
} from "./rollup-statements.ts";
import { countOutOfOrder, sourceStatsStatement, type SourceBatchStats } from "./source-stats.ts";
import { isoOrNull, textOrNull, unnestRows } from "./unnest-rows.ts";
import { commitAhead, inWriterTransaction, type WriterTx } from "./writer-transaction.ts";
import { z } from "zod";

/** node-postgres returns bigint columns (ids, orderings) as text. */
export const InsertedEventSchema = z.object({ id: z.string(), dedupe_key: z.string() });
export const DeviceStateRowSchema = z.object({
  id: z.string(),
  state: z.string(),
  current_session_key: z.string().nullable(),
  state_occurred_at: z.date().nullable(),
  state_ordering: z.string().nullable(),
  last_connected_at: z.date().nullable(),
  last_disconnected_at: z.date().nullable(),
  last_reason: z.string().nullable(),
  last_code: z.string().nullable(),
  last_client_ip: z.string().nullable(),
  connected_source: z.string().nullable(),
  connected_broker_node: z.string().nullable(),
  feeds: z.array(z.string()).nullable(),
});

type Tx = WriterTx;

export type RecordResult = { inserted: number; duplicates: number; deadLetters: number; outOfOrder: number };

/**
 * The source whose health counters (ingest_source_minute) the batch adds to, in its own transaction. `extraRecords`:
 * records received beyond the batch's events and dead letters (a record that yields no event, or several).
 */
export type BatchSourceStats = { source: string; receivedAt: Date | null; extraRecords: number };

/**
 * Writes one ingest batch in a single transaction: events (idempotent on dedupeKey), the sessions they open
 * and close, the devices' current state and counters, per-minute rollups, dead letters and, given `sourceStats`,
 * the source's counters. Only events that were actually inserted touch sessions, devices and rollups, so a
 * redelivered batch changes nothing.
 */
export async function recordIngestBatch(
  db: Db,
  batch: {
    events: ConnectionEvent[];
    deadLetters?: DeadLetterInput[];
    samples?: readonly DeviceSample[];
    sourceStats?: BatchSourceStats;
  },
): Promise<RecordResult> {
  const events = uniqueByDedupeKey(batch.events);
  const deadLetters = batch.deadLetters ?? [];
  const samples = batch.samples ?? [];
  const stats = batch.sourceStats;
  if (events.length === 0 && deadLetters.length === 0 && samples.length === 0 && !stats)
    return { inserted: 0, duplicates: batch.events.length, deadLetters: 0, outOfOrder: 0 };

  // A batch's new devices are committed before its transaction: inserted inside it, another writer whose batch has
  // the same new device (a `$share` group deals a device's events to every worker) waited for this batch's commit.
  const newDevices = events.length === 0 ? null : insertNewDevicesSql(events);
  if (newDevices) await commitAhead(db, newDevices);
  return inWriterTransaction(db, async (tx) => {
    if (deadLetters.length > 0) await insertDeadLetters(tx, deadLetters);
    await recordDeviceSamples(tx, samples);
    const inserted = newDevices === null ? [] : await insertDevicesAndEvents(tx, events, newDevices);
    // The events insert adds no state to a device (at most a missing device row): these are the states before this batch.
    const states = inserted.length === 0 ? [] : await readDeviceStates(tx, inserted);
    const knownFeeds = new Map(states.map((row) => [row.id, row.feeds ?? []]));
    const grownFeeds = grownFeedLists(knownFeeds, inserted);
    const { echoes, upgrades } = await findFeedEchoes(tx, inserted, (id) => grownFeeds.get(id) ?? knownFeeds.get(id) ?? []);
    // Another feed's record of a moment already counted is stored, and drives nothing; one that says more than the
    // stored record that drove it replaces that record in the rollups (the state and sessions already hold the moment).
    const upgrading = new Set(upgrades.map((upgrade) => upgrade.driver));
    const driving = inserted.filter((event) => !echoes.has(event.id) && !upgrading.has(event.id));
    const counted: CountedEvent[] = upgrades.length === 0 ? driving : [...driving, ...inserted.filter((e) => upgrading.has(e.id))];
    const retracted = upgrades.map(replacedRecord);
    // Sessions: an echo of a disconnect still ends its own feed's session (a keyed one by its key), counted nowhere else;
    // an echo of a connect opens none.
    const sessionEvents =
      echoes.size === 0 ? driving : inserted.filter((e) => !upgrading.has(e.id) && (!echoes.has(e.id) || e.kind === "disconnected"));
    const silenced = new Set(inserted.filter((e) => echoes.has(e.id) && e.kind !== "disconnected").map((e) => e.id));
    const outOfOrder = stats ? await countOutOfOrder(tx, batch.events, states) : 0;
    const result = {
      inserted: inserted.length,
      duplicates: batch.events.length - inserted.length,
      deadLetters: deadLetters.length,
      outOfOrder,
    };
    if (inserted.length === 0 && !stats) return result;

    const deviceUpdates = foldDevices(states, driving);
    const shard = await claimRollupShard(tx);
    const statements: Prisma.Sql[] = [];
    if (echoes.size > 0) statements.push(markEchoesSql(inserted, echoes));
    statements.push(...upgradeStatements(upgrades));
    if (inserted.length > 0) {
      statements.push(
        ...keyedSessionStatements(sessionEvents),
        ...(await keylessSessionStatements(tx, sessionEvents, silenced)),
        ...deviceUpdateStatement(deviceUpdates, earliestByDevice(inserted), grownFeeds),
        ...connectedGaugeStatements(deviceUpdates, shard),
        ...rollupStatements(counted, shard, retracted),
        ...deviceDropMinuteStatements(counted, retracted),
        ...deviceReasonMinuteStatements(counted, retracted),
        ...codeFirstSeenStatements(counted),
      );
    }
    if (stats) statements.push(sourceStatsStatement(batchSourceStats(stats, batch.events, result), shard));
    // One statement for the rest: none of these touch a row another of them touches.
    await executeTogether(tx, statements);
    if (driving.length > 0) await closeSessionsSupersededByLaterConnects(tx, driving);
    if (driving.length > 0) await endKeyedSessionsAtKeylessDisconnects(tx, driving);
    if (upgrades.length > 0) await handOverUpgradedMoments(tx, upgrades, inserted, retracted);
    return result;
  });
}

function batchSourceStats(stats: BatchSourceStats, events: ConnectionEvent[], result: RecordResult): SourceBatchStats {
  const receivedAt = stats.receivedAt;
  return {
    source: stats.source,
    received: events.length + result.deadLetters + stats.extraRecords,
    inserted: result.inserted,
    duplicates: result.duplicates,
    deadLetters: result.deadLetters,
    outOfOrder: result.outOfOrder,
    lagsMs: receivedAt ? events.map((e) => receivedAt.getTime() - e.occurredAt.getTime()) : [],
    lastOccurredAt: events.reduce<Date | null>((a, e) => (a === null || e.occurredAt > a ? e.occurredAt : a), null),
  };
}

/** Convenience for callers without dead letters (backfill, tests). */
export function recordConnectionEvents(db: Db, events: ConnectionEvent[]): Promise<RecordResult> {
  return recordIngestBatch(db, { events });
}

type StoredEvent = ConnectionEvent & { id: bigint };

function uniqueByDedupeKey(events: ConnectionEvent[]): ConnectionEvent[] {
  const seen = new Map<string, ConnectionEvent>();
  for (const event of events) if (!seen.has(event.dedupeKey)) seen.set(event.dedupeKey, event);
  return [...seen.values()];
}

async function insertDeadLetters(tx: Tx, inputs: DeadLetterInput[]): Promise<void> {
  await tx.$executeRaw(Prisma.sql`
    INSERT INTO dead_letters (source, topic, error, payload, payload_bytes, import_run_id)
    SELECT * FROM ${unnestRows(inputs.map(toDeadLetterRow), [
      ["source", "text", (r) => r.source],
      ["topic", "text", (r) => r.topic],
      ["error", "text", (r) => r.error],
      ["payload", "text", (r) => r.payload],
      ["payload_bytes", "int", (r) => r.payloadBytes],
      ["import_run_id", "bigint", (r) => textOrNull(r.importRunId)],
    ])}`);
}

/** Where a redelivered event is recognised; the one place that names the events table's unique key. */
const EVENT_CONFLICT_TARGET = Prisma.raw("(dedupe_key, occurred_at)");

/**
 * The batch's devices not stored yet, in one statement: `INSERT INTO devices … ON CONFLICT DO NOTHING`. Known devices
 * are not touched here (a late older event lowers first_seen_at in deviceUpdateStatement): a conflicting row is locked
 * by DO UPDATE even when its WHERE keeps it, which made a second worker wait here, before its event insert, for every
 * device another open batch holds, and locking some rows here and the rest in readDeviceStates would not be one order
 * (deadlocks). Decision 034. Known devices are filtered out before ON CONFLICT too: its arbiter check waits for any
 * open transaction that updated the row, which is every other writer's batch holding the device (decision 050).
 */
function insertNewDevicesSql(events: ConnectionEvent[]): Prisma.Sql {
  const first = new Map<string, { event: ConnectionEvent; earliest: Date }>();
  for (const event of events) {
    const seen = first.get(event.deviceId);
    if (!seen) first.set(event.deviceId, { event, earliest: event.occurredAt });
    else if (event.occurredAt < seen.earliest) seen.earliest = event.occurredAt;
  }
  // Sorted so concurrent writers insert device rows in the same order (no deadlocks).
  const devices = [...first.values()].sort((a, b) => (a.event.deviceId < b.event.deviceId ? -1 : 1));
  return Prisma.sql`
    INSERT INTO devices (id, source, broker_node, first_seen_at)
    SELECT * FROM ${unnestRows(devices, [
      ["id", "text", (d) => d.event.deviceId],
      ["source", "text", (d) => d.event.source],
      ["broker_node", "text", (d) => d.event.brokerNode],
      ["first_seen_at", "timestamptz", (d) => d.earliest.toISOString()],
    ])}
    WHERE NOT EXISTS (SELECT 1 FROM devices k WHERE k.id = u.id)
    ON CONFLICT (id) DO NOTHING`;
}

/**
 * Devices and events in one statement: the devices first seen here (`newDevices`, already committed ahead by
 * recordIngestBatch unless removed since), then every event not stored yet. Returns the inserted events, in event order.
 * This statement is what makes every stored event's device exist: connection_events and sessions have no foreign key
 * to devices (decision 061).
 */
async function insertDevicesAndEvents(tx: Tx, events: ConnectionEvent[], newDevices: Prisma.Sql): Promise<StoredEvent[]> {
  const rows: EventRow[] = events.map((event) => ({ event, ...boundRaw(event.raw, event.flags) }));
  const inserted = await tx.rows(
    "insertEvents",
    InsertedEventSchema,
    Prisma.sql`
    WITH new_devices AS (${newDevices})
    ${insertEventRowsSql(rows)}
    ON CONFLICT ${EVENT_CONFLICT_TARGET} DO NOTHING
    RETURNING id, dedupe_key`,
  );
  const byKey = new Map(events.map((e) => [e.dedupeKey, e]));
  const stored: StoredEvent[] = [];
  for (const row of inserted) {
    const event = byKey.get(row.dedupe_key);
    if (event) stored.push({ ...event, id: BigInt(row.id) });
  }
  return stored.sort(compareEvents);
}

/**
 * The batch's devices, locked until commit so two writers fold one device's state one after the other. NO KEY UPDATE,
 * not UPDATE: the foreign-key checks (KEY SHARE) of rows that name a device, such as an incident's devices or a probe
 * run, then do not wait for this commit.
 */
async function readDeviceStates(tx: Tx, events: StoredEvent[]): Promise<DeviceStateRow[]> {
  const deviceIds = [...new Set(events.map((e) => e.deviceId))].sort();
  const rows = await lockDeviceStates(tx, deviceIds);
  if (rows.length === deviceIds.length) return rows;
  // The retention pass deleted a long-silent device after this batch's events went in (expire-silent-devices.ts): its
  // row comes back, as for a new device, so every stored event keeps its device.
  const found = new Set(rows.map((row) => row.id));
  await tx.$executeRaw(insertNewDevicesSql(events.filter((e) => !found.has(e.deviceId))));
  return lockDeviceStates(tx, deviceIds);
}

async function lockDeviceStates(tx: Tx, deviceIds: string[]): Promise<DeviceStateRow[]> {
  const rows = await tx.rows(
    "lockDeviceStates",
    DeviceStateRowSchema,
    Prisma.sql`
    SELECT d.id, d.state::text AS state, d.current_session_key, d.state_occurred_at, d.state_ordering, d.last_connected_at,
           d.last_disconnected_at, d.last_reason::text AS last_reason, d.last_code, d.last_client_ip,
           g.source AS connected_source, g.broker_node AS connected_broker_node, d.feeds
    FROM unnest(${deviceIds}::text[]) AS u(id) JOIN devices d ON d.id = u.id LEFT JOIN fleet_connected_devices g ON g.device_id = d.id
    ORDER BY d.id FOR NO KEY UPDATE OF d`,
  );
  return rows.map((row) => ({ ...row, state_ordering: row.state_ordering === null ? null : BigInt(row.state_ordering) }));
}

function foldDevices(current: DeviceStateRow[], events: StoredEvent[]): DeviceStateUpdate[] {
  const byDevice = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const list = byDevice.get(event.deviceId) ?? [];
    list.push(event);
    byDevice.set(event.deviceId, list);
  }
  return current.map((row) => foldDeviceState(row, byDevice.get(row.id) ?? []));
}

function earliestByDevice(events: StoredEvent[]): Map<string, Date> {
  const earliest = new Map<string, Date>();
  for (const e of events) {
    const seen = earliest.get(e.deviceId);
    if (!seen || e.occurredAt < seen) earliest.set(e.deviceId, e.occurredAt);
  }
  return earliest;
}

function deviceUpdateStatement(
  updates: DeviceStateUpdate[],
  earliest: Map<string, Date>,
  grownFeeds: ReadonlyMap<string, readonly string[]>,
): Prisma.Sql[] {
  if (updates.length === 0) return [];
  return [
    Prisma.sql`
    UPDATE devices d SET
      state = u.state::"DeviceState", current_session_key = u.current_session_key,
      state_occurred_at = u.state_occurred_at, state_ordering = u.state_ordering,
      last_connected_at = u.last_connected_at, last_disconnected_at = u.last_disconnected_at,
      last_reason = u.last_reason::"Reason", last_code = u.last_code, last_client_ip = u.last_client_ip,
      connect_count = d.connect_count + u.connects, disconnect_count = d.disconnect_count + u.disconnects,
      failed_connect_count = d.failed_connect_count + u.failed, first_seen_at = LEAST(d.first_seen_at, u.first_seen_at),
      feeds = COALESCE(string_to_array(u.feeds, ','), d.feeds), updated_at = now()
    FROM ${unnestRows(updates, [
      ["id", "text", (r) => r.id],
      ["state", "text", (r) => r.state],
      ["current_session_key", "text", (r) => r.currentSessionKey],
      ["state_occurred_at", "timestamptz", (r) => isoOrNull(r.stateOccurredAt)],
      ["state_ordering", "bigint", (r) => textOrNull(r.stateOrdering)],
      ["last_connected_at", "timestamptz", (r) => isoOrNull(r.lastConnectedAt)],
      ["last_disconnected_at", "timestamptz", (r) => isoOrNull(r.lastDisconnectedAt)],
      ["last_reason", "text", (r) => r.lastReason],
      ["last_code", "text", (r) => r.lastCode],
      ["last_client_ip", "text", (r) => r.lastClientIp],
      ["connects", "int", (r) => r.connects],
      ["disconnects", "int", (r) => r.disconnects],
      ["failed", "int", (r) => r.failed],
      ["first_seen_at", "timestamptz", (r) => isoOrNull(earliest.get(r.id) ?? null)],
      // Feed names hold no comma (lib/events/feeds.ts); null keeps the device's list.
      ["feeds", "text", (r) => grownFeeds.get(r.id)?.join(",") ?? null],
    ])}
    WHERE d.id = u.id`,
  ];
}

/** Decision 034: which shard of the fleet-wide minute rows this transaction adds to. */
async function claimRollupShard(tx: Tx): Promise<number> {
  const [row] = await tx.rows("claimRollupShard", z.object({ shard: z.number().int() }), Prisma.sql`SELECT ${rollupShardSql} AS shard`);
  return row?.shard ?? 0;
}

/**
 * After an upgrade's rollups: per-device minute rows it emptied are removed (a row says the device dropped or was
 * refused in that minute), and the session and device state the replaced record ended or set take the new one's reason.
 */
async function handOverUpgradedMoments(
  tx: Tx,
  upgrades: readonly FeedUpgrade[],
  inserted: readonly StoredEvent[],
  retracted: readonly CountedEvent[],
): Promise<void> {
  const byId = new Map(inserted.map((event) => [event.id, event]));
  const handovers = upgrades.flatMap((upgrade) => {
    const driver = byId.get(upgrade.driver);
    return driver ? [{ driver, replaced: upgrade.replaced }] : [];
  });
  const minutes = retracted.map((e) => ({ deviceId: e.deviceId, bucket: minuteOf(e.occurredAt) }));
  await tx.$executeRaw(Prisma.sql`
    WITH keys AS (SELECT * FROM ${unnestRows(minutes, [
      ["device_id", "text", (m) => m.deviceId],
      ["bucket", "timestamptz", (m) => m.bucket.toISOString()],
    ])}), drops AS (
      DELETE FROM device_drop_minute d USING keys k WHERE d.device_id = k.device_id AND d.bucket = k.bucket AND d.drops <= 0
    )
    DELETE FROM device_reason_minute r USING keys k WHERE r.device_id = k.device_id AND r.bucket = k.bucket AND r.count <= 0`);
  const rows = unnestRows(handovers, [
    ["device_id", "text", (h) => h.driver.deviceId],
    ["replaced", "bigint", (h) => h.replaced.id],
    ["replaced_reason", "text", (h) => h.replaced.reason],
    ["replaced_code", "text", (h) => h.replaced.code],
    ["driver", "bigint", (h) => h.driver.id.toString()],
    ["reason", "text", (h) => h.driver.reason],
    ["code", "text", (h) => h.driver.code],
  ]);
  await tx.$executeRaw(Prisma.sql`
    UPDATE sessions s SET end_reason = u.reason::"Reason", end_code = u.code, end_event_id = u.driver
    FROM ${rows} WHERE s.device_id = u.device_id AND s.end_event_id = u.replaced`);
  await tx.$executeRaw(Prisma.sql`
    UPDATE devices d SET last_reason = u.reason::"Reason", last_code = u.code
    FROM ${rows}
    WHERE d.id = u.device_id AND d.last_reason::text = u.replaced_reason AND d.last_code IS NOT DISTINCT FROM u.replaced_code`);
}

/** Most bind parameters per combined statement (Postgres allows 65535). */
const MAX_STATEMENT_PARAMETERS = 30_000;

/**
 * Runs the batch's rollup upserts as few statements as possible (data-modifying CTEs): each round trip costs more
 * than the rows, and no two of them touch the same row.
 */
async function executeTogether(tx: Tx, statements: Prisma.Sql[]): Promise<void> {
  let group: Prisma.Sql[] = [];
  let parameters = 0;
  const flush = async () => {
    if (group.length === 1 && group[0]) await tx.$executeRaw(group[0]);
    else if (group.length > 1)
      await tx.$executeRaw(
        Prisma.sql`WITH ${Prisma.join(
          group.map((statement, i) => Prisma.sql`${Prisma.raw(`s${i}`)} AS (${statement})`),
          ", ",
        )} SELECT 1`,
      );
    group = [];
    parameters = 0;
  };
  for (const statement of statements) {
    if (group.length > 0 && parameters + statement.values.length > MAX_STATEMENT_PARAMETERS) await flush();
    group.push(statement);
    parameters += statement.values.length;
  }
  await flush();
}
