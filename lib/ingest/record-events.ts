import { Prisma, type Db } from "@/lib/db/client.ts";
import type { ConnectionEvent, Reason } from "@/lib/events/connection-event.ts";
import { boundRaw } from "./bound-raw.ts";
import { toDeadLetterRow, type DeadLetterInput } from "./dead-letters.ts";
import { insertEventRowsSql, type EventRow } from "./event-rows.ts";
import { foldDeviceState, type DeviceStateRow, type DeviceStateUpdate } from "./device-state.ts";
import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { recordDeviceSamples } from "@/lib/device-evidence/device-samples.ts";
import { foldKeylessSessions, type KeylessEvent } from "./keyless-sessions.ts";
import { endKeyedSessionsAtKeylessDisconnects } from "./keyless-disconnect-ends.ts";
import { DURATION_MS } from "./session-duration-sql.ts";
import { findFeedEchoes, grownFeedLists, markEchoesSql, upgradeStatements, type FeedUpgrade } from "./feed-echoes.ts";
import { rollupShardSql } from "./rollup-shard.ts";
import { countOutOfOrder, sourceStatsStatement, type SourceBatchStats } from "./source-stats.ts";
import { isoOrNull, textOrNull, unnestRows } from "./unnest-rows.ts";
import { commitAhead, inWriterTransaction, type WriterTx } from "./writer-transaction.ts";
import { z } from "zod";

/** node-postgres returns bigint columns (ids, orderings) as text. */
export const InsertedEventSchema = z.object({ id: z.string(), dedupe_key: z.string() });
const StoredKeylessEventSchema = z.object({
  id: z.string(),
  device_id: z.string(),
  kind: z.string(),
  occurred_at: z.date(),
  reason: z.string(),
  code: z.string().nullable(),
  client_ip: z.string().nullable(),
  ordering: z.string().nullable(),
  dedupe_key: z.string(),
});
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

/** Events in the order they happened; at the same millisecond a disconnect precedes a connect (takeover). */
export function compareEvents(a: OrderedEvent, b: OrderedEvent): number {
  if (a.ordering !== null && b.ordering !== null && a.deviceId === b.deviceId && a.ordering !== b.ordering) {
    return a.ordering < b.ordering ? -1 : 1;
  }
  const byTime = a.occurredAt.getTime() - b.occurredAt.getTime();
  if (byTime !== 0) return byTime;
  return kindRank(a) - kindRank(b);
}

type OrderedEvent = Pick<ConnectionEvent, "deviceId" | "ordering" | "occurredAt" | "kind">;

function kindRank(event: OrderedEvent): number {
  return event.kind === "disconnected" ? 0 : event.kind === "connect_failed" ? 1 : event.kind === "connected" ? 2 : 3;
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
 * The earliest of a device's events first: sorted on an expression no index has, so the only index path left is the
 * probe by device. Sorted on occurred_at itself, the occurred_at index looked cheapest whenever a month's statistics said
 * it was empty (an ANALYZE before its first rows committed, and no autovacuum since): it read the whole month for every
 * new session, 6 million index entries for a batch of 300 (decision 063).
 */
const FIRST_BY_TIME_WITHOUT_TIME_INDEX = Prisma.raw("x.occurred_at + INTERVAL '0 seconds', x.id");

/**
 * Sessions of keyed connections (the source ties a disconnect to its connect): one row per connect, closed by its
 * disconnect whenever that is stored, before or after the connect. Arrival order is not trusted.
 */
function keyedSessionStatements(events: StoredEvent[]): Prisma.Sql[] {
  const statements: Prisma.Sql[] = [];
  const connects = events.filter((e) => e.kind === "connected" && e.sessionKey !== null);
  const disconnects = events.filter((e) => e.kind === "disconnected" && e.sessionKey !== null);
  if (connects.length > 0) {
    // The disconnect may already be stored (this batch or an earlier one): the session is inserted closed.
    statements.push(Prisma.sql`
      INSERT INTO sessions (device_id, session_key, started_at, client_ip, start_event_id, ended_at, end_reason, end_code, end_event_id, end_inferred, duration_ms)
      SELECT u.device_id, u.session_key, u.started_at, u.client_ip, u.event_id, d.occurred_at, d.reason, d.code, d.id, false,
        CASE WHEN d.id IS NULL THEN NULL ELSE ${DURATION_MS("d.occurred_at", "u.started_at")} END
      FROM ${unnestRows(connects, [
        ["device_id", "text", (e) => e.deviceId],
        ["session_key", "text", (e) => e.sessionKey],
        ["started_at", "timestamptz", (e) => e.occurredAt.toISOString()],
        ["client_ip", "text", (e) => e.clientIp],
        ["event_id", "bigint", (e) => e.id.toString()],
      ])}
      LEFT JOIN LATERAL (
        SELECT x.id, x.occurred_at, x.reason, x.code FROM connection_events x
        WHERE x.device_id = u.device_id AND x.session_key = u.session_key AND x.kind = 'disconnected'
        ORDER BY ${FIRST_BY_TIME_WITHOUT_TIME_INDEX} LIMIT 1
      ) d ON true
      ON CONFLICT (device_id, session_key) DO NOTHING`);
  }
  if (disconnects.length > 0) {
    const firstPerSession = new Map<string, StoredEvent>();
    for (const e of disconnects)
      if (!firstPerSession.has(`${e.deviceId}\u0000${e.sessionKey}`)) firstPerSession.set(`${e.deviceId}\u0000${e.sessionKey}`, e);
    statements.push(Prisma.sql`
      UPDATE sessions s SET
        ended_at = u.ended_at, end_reason = u.reason::"Reason", end_code = u.code, end_event_id = u.event_id, end_inferred = false,
        duration_ms = ${DURATION_MS("u.ended_at", "s.started_at")}
      FROM ${unnestRows(
        [...firstPerSession.values()],
        [
          ["device_id", "text", (e) => e.deviceId],
          ["session_key", "text", (e) => e.sessionKey],
          ["ended_at", "timestamptz", (e) => e.occurredAt.toISOString()],
          ["reason", "text", (e) => e.reason],
          ["code", "text", (e) => e.code],
          ["event_id", "bigint", (e) => e.id.toString()],
        ],
      )}
      WHERE s.device_id = u.device_id AND s.session_key = u.session_key AND (s.ended_at IS NULL OR s.end_inferred)`);
  }
  return statements;
}

/**
 * Sources without a session key (Azure IoT Hub, EMQX 4.x, …) cannot tie a disconnect to its connect, so a late
 * event would land in the wrong session. Each affected device's sessions are rebuilt from its stored keyless
 * events, from the last session that began before the earliest new event on, in the source's order.
 */
async function keylessSessionStatements(tx: Tx, events: StoredEvent[], silenced: ReadonlySet<bigint>): Promise<Prisma.Sql[]> {
  const since = new Map<string, Date>();
  for (const e of events) {
    if (e.sessionKey !== null || (e.kind !== "connected" && e.kind !== "disconnected")) continue;
    const seen = since.get(e.deviceId);
    if (!seen || e.occurredAt < seen) since.set(e.deviceId, e.occurredAt);
  }
  if (since.size === 0) return [];
  const windows = [...since.entries()];
  const stored = await tx.rows(
    "loadKeylessEvents",
    StoredKeylessEventSchema,
    Prisma.sql`
    SELECT e.id, e.device_id, e.kind::text AS kind, e.occurred_at, e.reason::text AS reason, e.code, e.client_ip, e.ordering, e.dedupe_key
    FROM ${unnestRows(windows, [
      ["device_id", "text", ([id]) => id],
      ["since", "timestamptz", ([, at]) => at.toISOString()],
    ])}
    CROSS JOIN LATERAL (
      SELECT COALESCE((SELECT max(s.started_at) FROM sessions s WHERE s.device_id = u.device_id AND s.started_at < u.since AND s.session_key LIKE 'event:%'), u.since) AS from_at
    ) w
    JOIN connection_events e ON e.device_id = u.device_id AND e.occurred_at >= w.from_at
    WHERE e.session_key IS NULL AND e.kind IN ('connected', 'disconnected') AND (e.echo_of IS NULL OR e.kind = 'disconnected')`,
  );
  const byDevice = new Map<string, KeylessEvent[]>();
  for (const row of stored) {
    // This batch's echoes of connects are marked in the statement after this one.
    if (silenced.has(BigInt(row.id))) continue;
    const list = byDevice.get(row.device_id) ?? [];
    list.push({
      id: BigInt(row.id),
      deviceId: row.device_id,
      kind: row.kind as KeylessEvent["kind"],
      occurredAt: row.occurred_at,
      reason: row.reason as Reason,
      code: row.code,
      clientIp: row.client_ip,
      ordering: row.ordering === null ? null : BigInt(row.ordering),
      dedupeKey: row.dedupe_key,
    });
    byDevice.set(row.device_id, list);
  }
  const sessions = [...byDevice.values()].flatMap((list) => foldKeylessSessions(list.sort(compareEvents)));
  if (sessions.length === 0) return [];
  return [
    Prisma.sql`
    INSERT INTO sessions (device_id, session_key, started_at, client_ip, start_event_id, ended_at, end_reason, end_code, end_event_id, end_inferred, duration_ms)
    SELECT u.device_id, u.session_key, u.started_at, u.client_ip, u.start_event_id, u.ended_at, u.end_reason::"Reason", u.end_code, u.end_event_id, u.end_inferred,
      CASE WHEN u.ended_at IS NULL THEN NULL ELSE ${DURATION_MS("u.ended_at", "u.started_at")} END
    FROM ${unnestRows(sessions, [
      ["device_id", "text", (r) => r.deviceId],
      ["session_key", "text", (r) => r.sessionKey],
      ["started_at", "timestamptz", (r) => r.startedAt.toISOString()],
      ["client_ip", "text", (r) => r.clientIp],
      ["start_event_id", "bigint", (r) => r.startEventId.toString()],
      ["ended_at", "timestamptz", (r) => isoOrNull(r.endedAt)],
      ["end_reason", "text", (r) => r.endReason],
      ["end_code", "text", (r) => r.endCode],
      ["end_event_id", "bigint", (r) => textOrNull(r.endEventId)],
      ["end_inferred", "boolean", (r) => r.endInferred],
    ])}
    ON CONFLICT (device_id, session_key) DO UPDATE SET
      ended_at = EXCLUDED.ended_at, end_reason = EXCLUDED.end_reason, end_code = EXCLUDED.end_code, end_event_id = EXCLUDED.end_event_id,
      end_inferred = EXCLUDED.end_inferred, duration_ms = EXCLUDED.duration_ms`,
  ];
}

/** A keyed session whose disconnect never arrived (yet) ends, inferred, where the device's next session begins. */
async function closeSessionsSupersededByLaterConnects(tx: Tx, events: StoredEvent[]): Promise<void> {
  const devices = [...new Set(events.filter((e) => e.kind === "connected").map((e) => e.deviceId))];
  if (devices.length === 0) return;
  await tx.$executeRaw(Prisma.sql`
    UPDATE sessions s SET
      ended_at = x.next_start, end_reason = 'unknown', end_code = NULL, end_inferred = true,
      duration_ms = ${DURATION_MS("x.next_start", "s.started_at")}
    FROM (
      SELECT o.id, (SELECT MIN(n.started_at) FROM sessions n WHERE n.device_id = u.device_id AND n.started_at > o.started_at) AS next_start
      FROM unnest(${devices}::text[]) AS u(device_id)
      -- One probe of the device index per device (OFFSET 0: not flattened, so not joined to a scan of every open
      -- session, which stale statistics make look few); IS TRUE keeps the planner off the ended_at index. Decision 041.
      CROSS JOIN LATERAL (SELECT o.id, o.started_at FROM sessions o WHERE o.device_id = u.device_id AND (o.ended_at IS NULL) IS TRUE OFFSET 0) o
    ) x
    WHERE s.id = x.id AND x.next_start IS NOT NULL`);
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

/**
 * The connected-devices gauge moves with the state in the same transaction: per-minute deltas where the fold
 * turned a device online or offline, and the row saying where each online device is counted.
 * Invariant: SUM(fleet_connected_minute.delta) = devices online = rows of fleet_connected_devices.
 */
function connectedGaugeStatements(updates: DeviceStateUpdate[], shard: number): Prisma.Sql[] {
  const statements: Prisma.Sql[] = [];
  const changed = updates.filter((u) => u.gaugeChanges.length > 0);
  if (changed.length === 0) return statements;
  const deltas = new Map<string, { bucket: Date; source: string; brokerNode: string; delta: number }>();
  for (const change of changed.flatMap((u) => u.gaugeChanges)) {
    const bucket = minuteOf(change.at);
    const key = `${bucket.getTime()}|${change.source}|${change.brokerNode}`;
    const entry = deltas.get(key);
    if (entry) entry.delta += change.delta;
    else deltas.set(key, { bucket, source: change.source, brokerNode: change.brokerNode, delta: change.delta });
  }
  const rows = sortedValues(deltas).filter((row) => row.delta !== 0);
  if (rows.length > 0) {
    statements.push(Prisma.sql`
      INSERT INTO fleet_connected_minute (bucket, source, broker_node, delta, shard)
      SELECT u.*, ${shard}::smallint FROM ${unnestRows(rows, [
        ["bucket", "timestamptz", (r) => r.bucket.toISOString()],
        ["source", "text", (r) => r.source],
        ["broker_node", "text", (r) => r.brokerNode],
        ["delta", "int", (r) => r.delta],
      ])}
      ON CONFLICT (bucket, source, broker_node, shard) DO UPDATE SET delta = fleet_connected_minute.delta + EXCLUDED.delta`);
  }

  const gone = changed.filter((u) => u.connectedVia === null).map((u) => u.id);
  if (gone.length > 0)
    statements.push(Prisma.sql`DELETE FROM fleet_connected_devices g USING unnest(${gone}::text[]) AS u(id) WHERE g.device_id = u.id`);
  const counted = changed.flatMap((u) => {
    const lastRise = u.gaugeChanges.findLast((c) => c.delta === 1);
    return u.connectedVia && lastRise ? [{ id: u.id, ...u.connectedVia, since: lastRise.at }] : [];
  });
  if (counted.length > 0) {
    statements.push(Prisma.sql`
      INSERT INTO fleet_connected_devices (device_id, source, broker_node, since)
      SELECT * FROM ${unnestRows(counted, [
        ["device_id", "text", (r) => r.id],
        ["source", "text", (r) => r.source],
        ["broker_node", "text", (r) => r.brokerNode],
        ["since", "timestamptz", (r) => r.since.toISOString()],
      ])}
      ON CONFLICT (device_id) DO UPDATE SET source = EXCLUDED.source, broker_node = EXCLUDED.broker_node, since = EXCLUDED.since`);
  }
  return statements;
}

function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

/** Map values in key order: concurrent writers then lock shared rollup rows in the same order (no deadlocks). */
function sortedValues<T>(rows: Map<string, T>): T[] {
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
}

function rollupStatements(events: readonly CountedEvent[], shard: number, retracted: readonly CountedEvent[] = []): Prisma.Sql[] {
  const counts = new Map<string, { bucket: Date; kind: string; reason: Reason; code: string; count: number }>();
  for (const [e, weight] of weighted(events, retracted)) {
    const bucket = minuteOf(e.occurredAt);
    const code = e.code ?? "";
    const key = `${bucket.getTime()}|${e.kind}|${e.reason}|${code}`;
    const entry = counts.get(key);
    if (entry) entry.count += weight;
    else counts.set(key, { bucket, kind: e.kind, reason: e.reason, code, count: weight });
  }
  dropNetZero(counts);
  if (counts.size === 0) return [];
  return [
    Prisma.sql`
    INSERT INTO event_rollup_minute (bucket, kind, reason, code, count, shard)
    SELECT u.bucket, u.kind::"EventKind", u.reason::"Reason", u.code, u.count, ${shard}::smallint
    FROM ${unnestRows(sortedValues(counts), [
      ["bucket", "timestamptz", (r) => r.bucket.toISOString()],
      ["kind", "text", (r) => r.kind],
      ["reason", "text", (r) => r.reason],
      ["code", "text", (r) => r.code],
      ["count", "int", (r) => r.count],
    ])}
    ON CONFLICT (bucket, kind, reason, code, shard) DO UPDATE SET count = event_rollup_minute.count + EXCLUDED.count`,
  ];
}

/** Which devices dropped in which minute: the fleet-wide analyzer counts devices, not drops (one storm ≠ a fleet event). */
function deviceDropMinuteStatements(events: readonly CountedEvent[], retracted: readonly CountedEvent[] = []): Prisma.Sql[] {
  const counts = new Map<string, { bucket: Date; deviceId: string; drops: number }>();
  for (const [e, weight] of weighted(events, retracted)) {
    if (e.kind !== "disconnected" || e.reason === "client_disconnect") continue;
    const bucket = minuteOf(e.occurredAt);
    const key = `${bucket.getTime()}|${e.deviceId}`;
    const entry = counts.get(key);
    if (entry) entry.drops += weight;
    else counts.set(key, { bucket, deviceId: e.deviceId, drops: weight });
  }
  dropNetZero(counts, (entry) => entry.drops);
  if (counts.size === 0) return [];
  return [
    Prisma.sql`
    INSERT INTO device_drop_minute (bucket, device_id, drops)
    SELECT * FROM ${unnestRows(sortedValues(counts), [
      ["bucket", "timestamptz", (r) => r.bucket.toISOString()],
      ["device_id", "text", (r) => r.deviceId],
      ["drops", "int", (r) => r.drops],
    ])}
    ON CONFLICT (bucket, device_id) DO UPDATE SET drops = device_drop_minute.drops + EXCLUDED.drops`,
  ];
}

/** Disconnects and failed connects per device and minute, for filtered fleet breakdowns and drill-downs. */
function deviceReasonMinuteStatements(events: readonly CountedEvent[], retracted: readonly CountedEvent[] = []): Prisma.Sql[] {
  type Row = {
    bucket: Date;
    deviceId: string;
    kind: string;
    reason: Reason;
    code: string;
    source: string;
    brokerNode: string;
    count: number;
  };
  const counts = new Map<string, Row>();
  for (const [e, weight] of weighted(events, retracted)) {
    if (e.kind !== "disconnected" && e.kind !== "connect_failed") continue;
    const row = {
      bucket: minuteOf(e.occurredAt),
      deviceId: e.deviceId,
      kind: e.kind,
      reason: e.reason,
      code: e.code ?? "",
      source: e.source,
      brokerNode: e.brokerNode ?? "",
    };
    const key = JSON.stringify(Object.values({ ...row, bucket: row.bucket.getTime() }));
    const entry = counts.get(key);
    if (entry) entry.count += weight;
    else counts.set(key, { ...row, count: weight });
  }
  dropNetZero(counts);
  if (counts.size === 0) return [];
  return [
    Prisma.sql`
    INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
    SELECT u.bucket, u.device_id, u.kind::"EventKind", u.reason::"Reason", u.code, u.source, u.broker_node, u.count
    FROM ${unnestRows(sortedValues(counts), [
      ["bucket", "timestamptz", (r) => r.bucket.toISOString()],
      ["device_id", "text", (r) => r.deviceId],
      ["kind", "text", (r) => r.kind],
      ["reason", "text", (r) => r.reason],
      ["code", "text", (r) => r.code],
      ["source", "text", (r) => r.source],
      ["broker_node", "text", (r) => r.brokerNode],
      ["count", "int", (r) => r.count],
    ])}
    ON CONFLICT (bucket, device_id, kind, reason, code, source, broker_node) DO UPDATE SET count = device_reason_minute.count + EXCLUDED.count`,
  ];
}

/** Decision 034: which shard of the fleet-wide minute rows this transaction adds to. */
async function claimRollupShard(tx: Tx): Promise<number> {
  const [row] = await tx.rows("claimRollupShard", z.object({ shard: z.number().int() }), Prisma.sql`SELECT ${rollupShardSql} AS shard`);
  return row?.shard ?? 0;
}

/**
 * The earliest disconnect / failed connect of each code, so "new codes" never scans history. A conflicting row is
 * locked even when the WHERE keeps it unchanged, so codes already known earlier are filtered out first: otherwise
 * every writer would hold a common code's row (a fleet-wide hot row) until its commit.
 */
function codeFirstSeenStatements(events: readonly CountedEvent[]): Prisma.Sql[] {
  const first = new Map<string, { code: string; at: Date; deviceId: string }>();
  for (const e of events) {
    if ((e.kind !== "disconnected" && e.kind !== "connect_failed") || e.code === null) continue;
    const seen = first.get(e.code);
    if (!seen || e.occurredAt < seen.at || (e.occurredAt.getTime() === seen.at.getTime() && e.deviceId < seen.deviceId)) {
      first.set(e.code, { code: e.code, at: e.occurredAt, deviceId: e.deviceId });
    }
  }
  if (first.size === 0) return [];
  return [
    Prisma.sql`
    INSERT INTO code_first_seen (code, first_seen_at, first_device_id)
    SELECT * FROM ${unnestRows(sortedValues(first), [
      ["code", "text", (r) => r.code],
      ["first_seen_at", "timestamptz", (r) => r.at.toISOString()],
      ["first_device_id", "text", (r) => r.deviceId],
    ])}
    WHERE NOT EXISTS (SELECT 1 FROM code_first_seen c WHERE c.code = u.code AND c.first_seen_at <= u.first_seen_at)
    ON CONFLICT (code) DO UPDATE SET first_seen_at = EXCLUDED.first_seen_at, first_device_id = EXCLUDED.first_device_id
    WHERE EXCLUDED.first_seen_at < code_first_seen.first_seen_at`,
  ];
}

/** What the rollups read of an event: a stored one, or a stored record an upgrade replaces. */
type CountedEvent = Pick<ConnectionEvent, "deviceId" | "kind" | "reason" | "code" | "occurredAt" | "source" | "brokerNode">;

function replacedRecord(upgrade: FeedUpgrade): CountedEvent {
  const record = upgrade.replaced;
  return {
    deviceId: record.device_id,
    kind: record.kind,
    reason: record.reason,
    code: record.code,
    occurredAt: record.occurred_at,
    source: record.source,
    brokerNode: record.broker_node,
  };
}

/** Each counted event once, each retracted one taken back. */
function* weighted(events: readonly CountedEvent[], retracted: readonly CountedEvent[]): Generator<[CountedEvent, 1 | -1]> {
  for (const event of events) yield [event, 1];
  for (const event of retracted) yield [event, -1];
}

/** A rollup row an upgrade takes back as much from as it adds is left as it is. */
function dropNetZero<T>(counts: Map<string, T>, countOf: (entry: T) => number = (entry) => (entry as { count: number }).count): void {
  for (const [key, entry] of counts) if (countOf(entry) === 0) counts.delete(key);
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
