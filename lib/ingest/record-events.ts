import { Prisma, type Db } from "@/lib/db/client.ts";
import { MAX_RAW_BYTES, type ConnectionEvent, type Reason } from "@/lib/events/connection-event.ts";
import { toDeadLetterRow, type DeadLetterInput } from "./dead-letters.ts";
import { foldDeviceState, type DeviceStateRow, type DeviceStateUpdate } from "./device-state.ts";
import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { recordDeviceSamples } from "@/lib/device-evidence/device-samples.ts";

type Tx = Prisma.TransactionClient;

export type RecordResult = { inserted: number; duplicates: number; deadLetters: number };

/** Rows per multi-row INSERT: 24 parameters per event stays far below Postgres's 65535-parameter limit. */
const INSERT_CHUNK = 1000;

/**
 * Writes one ingest batch in a single transaction: events (idempotent on dedupeKey), the sessions they open
 * and close, the devices' current state and counters, per-minute rollups, and dead letters. Only events that
 * were actually inserted touch sessions, devices and rollups, so a redelivered batch changes nothing.
 */
export async function recordIngestBatch(
  db: Db,
  batch: { events: ConnectionEvent[]; deadLetters?: DeadLetterInput[]; samples?: readonly DeviceSample[] },
): Promise<RecordResult> {
  const events = uniqueByDedupeKey(batch.events);
  const deadLetters = batch.deadLetters ?? [];
  const samples = batch.samples ?? [];
  if (events.length === 0 && deadLetters.length === 0 && samples.length === 0) return { inserted: 0, duplicates: batch.events.length, deadLetters: 0 };

  return db.$transaction(
    async (tx) => {
      if (deadLetters.length > 0) await insertDeadLetters(tx, deadLetters);
      await recordDeviceSamples(tx, samples);
      if (events.length === 0) return { inserted: 0, duplicates: batch.events.length, deadLetters: deadLetters.length };

      await ensureDevices(tx, events);
      const inserted = await insertEvents(tx, events);
      if (inserted.length > 0) {
        await updateSessions(tx, inserted);
        const deviceUpdates = await updateDevices(tx, inserted);
        await executeTogether(tx, [
          ...connectedGaugeStatements(deviceUpdates),
          ...rollupStatements(inserted),
          ...deviceDropMinuteStatements(inserted),
          ...deviceReasonMinuteStatements(inserted),
          ...codeFirstSeenStatements(inserted),
        ]);
      }
      return { inserted: inserted.length, duplicates: batch.events.length - inserted.length, deadLetters: deadLetters.length };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
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
export function compareEvents(a: ConnectionEvent, b: ConnectionEvent): number {
  if (a.ordering !== null && b.ordering !== null && a.deviceId === b.deviceId && a.ordering !== b.ordering) {
    return a.ordering < b.ordering ? -1 : 1;
  }
  const byTime = a.occurredAt.getTime() - b.occurredAt.getTime();
  if (byTime !== 0) return byTime;
  return kindRank(a) - kindRank(b);
}

function kindRank(event: ConnectionEvent): number {
  return event.kind === "disconnected" ? 0 : event.kind === "connect_failed" ? 1 : event.kind === "connected" ? 2 : 3;
}

async function insertDeadLetters(tx: Tx, inputs: DeadLetterInput[]): Promise<void> {
  await tx.deadLetter.createMany({ data: inputs.map(toDeadLetterRow) });
}

async function ensureDevices(tx: Tx, events: ConnectionEvent[]): Promise<void> {
  const first = new Map<string, { event: ConnectionEvent; earliest: Date }>();
  for (const event of events) {
    const seen = first.get(event.deviceId);
    if (!seen) first.set(event.deviceId, { event, earliest: event.occurredAt });
    else if (event.occurredAt < seen.earliest) seen.earliest = event.occurredAt;
  }
  // Sorted so concurrent writers lock device rows in the same order (no deadlocks).
  const rows = [...first.values()].sort((a, b) => (a.event.deviceId < b.event.deviceId ? -1 : 1));
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    // first_seen_at is the earliest event's time, lowered when an older event arrives late (imports, backfills).
    await tx.$executeRaw`
      INSERT INTO devices (id, source, broker_node, first_seen_at)
      VALUES ${Prisma.join(chunk.map(({ event, earliest }) => Prisma.sql`(${event.deviceId}, ${event.source}, ${event.brokerNode}, ${earliest})`))}
      ON CONFLICT (id) DO UPDATE SET first_seen_at = EXCLUDED.first_seen_at
      WHERE EXCLUDED.first_seen_at < devices.first_seen_at`;
  }
}

async function insertEvents(tx: Tx, events: ConnectionEvent[]): Promise<StoredEvent[]> {
  const byKey = new Map(events.map((e) => [e.dedupeKey, e]));
  const stored: StoredEvent[] = [];
  for (const chunk of chunks(events, INSERT_CHUNK)) {
    const rows = await tx.$queryRaw<{ id: bigint; dedupe_key: string }[]>`
      INSERT INTO connection_events (
        dedupe_key, device_id, kind, occurred_at, reason, initiator, code, message, source, broker_node,
        session_key, ordering, client_ip, client_port, protocol_version, keepalive_sec, clean_start,
        session_present, username, tls, flags, raw)
      VALUES ${Prisma.join(chunk.map(eventValues))}
      ON CONFLICT (dedupe_key, occurred_at) DO NOTHING
      RETURNING id, dedupe_key`;
    for (const row of rows) {
      const event = byKey.get(row.dedupe_key);
      if (event) stored.push({ ...event, id: row.id });
    }
  }
  return stored.sort(compareEvents);
}

function eventValues(e: ConnectionEvent): Prisma.Sql {
  const { raw, flags } = boundRaw(e.raw, e.flags);
  return Prisma.sql`(
    ${e.dedupeKey}, ${e.deviceId}, ${e.kind}::"EventKind", ${e.occurredAt}::timestamptz, ${e.reason}::"Reason",
    ${e.initiator}::"Initiator", ${e.code}, ${e.message}, ${e.source}, ${e.brokerNode}, ${e.sessionKey},
    ${e.ordering}::bigint, ${e.clientIp}, ${e.clientPort}::int, ${e.protocolVersion}::int, ${e.keepaliveSec}::int,
    ${e.cleanStart}::boolean, ${e.sessionPresent}::boolean, ${e.username}, ${e.tls}::boolean, ${flags}::text[],
    ${raw}::jsonb)`;
}

/** Raw payloads are kept for the raw-events view, but bounded; NUL cannot be stored in jsonb. */
function boundRaw(raw: unknown, flags: string[]): { raw: string; flags: string[] } {
  const text = JSON.stringify(raw ?? null).replaceAll("\\u0000", "\\\\u0000");
  if (Buffer.byteLength(text, "utf8") <= MAX_RAW_BYTES) return { raw: text, flags };
  const head = text.slice(0, MAX_RAW_BYTES / 2);
  return { raw: JSON.stringify({ truncated: true, bytes: Buffer.byteLength(text, "utf8"), head }), flags: [...flags, "raw_truncated"] };
}

function sessionKeyOf(event: StoredEvent): string {
  return event.sessionKey ?? `event:${event.dedupeKey}`;
}

/**
 * Sessions are connected intervals, maintained here so timelines never pair events at read time.
 * Arrival order is not trusted: a disconnect may arrive before its connect, and a connect whose previous
 * session never saw its disconnect closes that session as "inferred" until the real disconnect shows up.
 */
async function updateSessions(tx: Tx, events: StoredEvent[]): Promise<void> {
  const connects = events.filter((e) => e.kind === "connected");
  const disconnects = events.filter((e) => e.kind === "disconnected");

  for (const chunk of chunks(connects, INSERT_CHUNK)) {
    await tx.$executeRaw`
      INSERT INTO sessions (device_id, session_key, started_at, client_ip, start_event_id)
      VALUES ${Prisma.join(chunk.map((e) => Prisma.sql`(${e.deviceId}, ${sessionKeyOf(e)}, ${e.occurredAt}::timestamptz, ${e.clientIp}, ${e.id}::bigint)`))}
      ON CONFLICT (device_id, session_key) DO NOTHING`;
  }

  const keyed = disconnects.filter((e) => e.sessionKey !== null);
  for (const chunk of chunks(keyed, INSERT_CHUNK)) {
    await tx.$executeRaw`
      UPDATE sessions s SET
        ended_at = v.ended_at, end_reason = v.reason, end_code = v.code, end_event_id = v.event_id, end_inferred = false,
        duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (v.ended_at - s.started_at)) * 1000)::bigint)
      FROM (VALUES ${Prisma.join(
        chunk.map((e) => Prisma.sql`(${e.deviceId}, ${e.sessionKey}, ${e.occurredAt}::timestamptz, ${e.reason}::"Reason", ${e.code}, ${e.id}::bigint)`),
      )}) AS v(device_id, session_key, ended_at, reason, code, event_id)
      WHERE s.device_id = v.device_id AND s.session_key = v.session_key AND (s.ended_at IS NULL OR s.end_inferred)`;
  }

  // Disconnects without a session key (e.g. EMQX 4.x) close the device's latest session that began before them.
  for (const e of disconnects.filter((d) => d.sessionKey === null)) {
    await tx.$executeRaw`
      UPDATE sessions s SET
        ended_at = ${e.occurredAt}::timestamptz, end_reason = ${e.reason}::"Reason", end_code = ${e.code},
        end_event_id = ${e.id}::bigint, end_inferred = false,
        duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (${e.occurredAt}::timestamptz - s.started_at)) * 1000)::bigint)
      WHERE s.id = (
        SELECT id FROM sessions WHERE device_id = ${e.deviceId} AND started_at <= ${e.occurredAt}::timestamptz
        ORDER BY started_at DESC LIMIT 1)
      AND (s.ended_at IS NULL OR s.end_inferred)`;
  }

  const newSessionEventIds = connects.map((e) => e.id);
  if (newSessionEventIds.length > 0) {
    // A connect whose disconnect was stored earlier (out-of-order delivery) is closed right away.
    await tx.$executeRaw`
      UPDATE sessions s SET
        ended_at = d.occurred_at, end_reason = d.reason, end_code = d.code, end_event_id = d.id, end_inferred = false,
        duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (d.occurred_at - s.started_at)) * 1000)::bigint)
      FROM connection_events d
      WHERE s.start_event_id = ANY(${newSessionEventIds}::bigint[]) AND s.ended_at IS NULL
        AND d.device_id = s.device_id AND d.session_key = s.session_key AND d.kind = 'disconnected'`;
  }

  const devices = [...new Set(events.map((e) => e.deviceId))];
  await tx.$executeRaw`
    UPDATE sessions s SET
      ended_at = x.next_start, end_reason = 'unknown', end_code = NULL, end_inferred = true,
      duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (x.next_start - s.started_at)) * 1000)::bigint)
    FROM (
      SELECT o.id, (SELECT MIN(n.started_at) FROM sessions n WHERE n.device_id = o.device_id AND n.started_at > o.started_at) AS next_start
      FROM sessions o WHERE o.device_id = ANY(${devices}::text[]) AND o.ended_at IS NULL
    ) x
    WHERE s.id = x.id AND x.next_start IS NOT NULL`;
}

async function updateDevices(tx: Tx, events: StoredEvent[]): Promise<DeviceStateUpdate[]> {
  const deviceIds = [...new Set(events.map((e) => e.deviceId))].sort();
  const current = await tx.$queryRaw<DeviceStateRow[]>`
    SELECT d.id, d.state::text AS state, d.current_session_key, d.state_occurred_at, d.state_ordering, d.last_connected_at,
           d.last_disconnected_at, d.last_reason::text AS last_reason, d.last_code, d.last_client_ip,
           g.source AS connected_source, g.broker_node AS connected_broker_node
    FROM devices d LEFT JOIN fleet_connected_devices g ON g.device_id = d.id
    WHERE d.id = ANY(${deviceIds}::text[]) ORDER BY d.id FOR UPDATE OF d`;
  const byDevice = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const list = byDevice.get(event.deviceId) ?? [];
    list.push(event);
    byDevice.set(event.deviceId, list);
  }
  const updates = current.map((row) => foldDeviceState(row, byDevice.get(row.id) ?? []));
  for (const chunk of chunks(updates, INSERT_CHUNK)) {
    await tx.$executeRaw`
      UPDATE devices d SET
        state = v.state::"DeviceState", current_session_key = v.current_session_key,
        state_occurred_at = v.state_occurred_at, state_ordering = v.state_ordering,
        last_connected_at = v.last_connected_at, last_disconnected_at = v.last_disconnected_at,
        last_reason = v.last_reason::"Reason", last_code = v.last_code, last_client_ip = v.last_client_ip,
        connect_count = d.connect_count + v.connects, disconnect_count = d.disconnect_count + v.disconnects,
        failed_connect_count = d.failed_connect_count + v.failed, updated_at = now()
      FROM (VALUES ${Prisma.join(
        chunk.map(
          (u) => Prisma.sql`(${u.id}, ${u.state}, ${u.currentSessionKey}, ${u.stateOccurredAt}::timestamptz, ${u.stateOrdering}::bigint,
            ${u.lastConnectedAt}::timestamptz, ${u.lastDisconnectedAt}::timestamptz, ${u.lastReason}, ${u.lastCode},
            ${u.lastClientIp}, ${u.connects}::int, ${u.disconnects}::int, ${u.failed}::int)`,
        ),
      )}) AS v(id, state, current_session_key, state_occurred_at, state_ordering, last_connected_at,
              last_disconnected_at, last_reason, last_code, last_client_ip, connects, disconnects, failed)
      WHERE d.id = v.id`;
  }
  return updates;
}

/**
 * The connected-devices gauge moves with the state in the same transaction: per-minute deltas where the fold
 * turned a device online or offline, and the row saying where each online device is counted.
 * Invariant: SUM(fleet_connected_minute.delta) = devices online = rows of fleet_connected_devices.
 */
function connectedGaugeStatements(updates: DeviceStateUpdate[]): Prisma.Sql[] {
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
  const rows = [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row).filter((row) => row.delta !== 0);
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    statements.push(Prisma.sql`
      INSERT INTO fleet_connected_minute (bucket, source, broker_node, delta)
      VALUES ${Prisma.join(chunk.map((r) => Prisma.sql`(${r.bucket}::timestamptz, ${r.source}, ${r.brokerNode}, ${r.delta}::int)`))}
      ON CONFLICT (bucket, source, broker_node) DO UPDATE SET delta = fleet_connected_minute.delta + EXCLUDED.delta`);
  }

  const gone = changed.filter((u) => u.connectedVia === null).map((u) => u.id);
  if (gone.length > 0) statements.push(Prisma.sql`DELETE FROM fleet_connected_devices WHERE device_id = ANY(${gone}::text[])`);
  const counted = changed.flatMap((u) => {
    const lastRise = u.gaugeChanges.findLast((c) => c.delta === 1);
    return u.connectedVia && lastRise ? [{ id: u.id, ...u.connectedVia, since: lastRise.at }] : [];
  });
  for (const chunk of chunks(counted, INSERT_CHUNK)) {
    statements.push(Prisma.sql`
      INSERT INTO fleet_connected_devices (device_id, source, broker_node, since)
      VALUES ${Prisma.join(chunk.map((r) => Prisma.sql`(${r.id}, ${r.source}, ${r.brokerNode}, ${r.since}::timestamptz)`))}
      ON CONFLICT (device_id) DO UPDATE SET source = EXCLUDED.source, broker_node = EXCLUDED.broker_node, since = EXCLUDED.since`);
  }
  return statements;
}

function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

function rollupStatements(events: StoredEvent[]): Prisma.Sql[] {
  const statements: Prisma.Sql[] = [];
  const counts = new Map<string, { bucket: Date; kind: string; reason: Reason; code: string; count: number }>();
  for (const e of events) {
    const bucket = new Date(Math.floor(e.occurredAt.getTime() / 60_000) * 60_000);
    const code = e.code ?? "";
    const key = `${bucket.getTime()}|${e.kind}|${e.reason}|${code}`;
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { bucket, kind: e.kind, reason: e.reason, code, count: 1 });
  }
  const rows = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    statements.push(Prisma.sql`
      INSERT INTO event_rollup_minute (bucket, kind, reason, code, count)
      VALUES ${Prisma.join(chunk.map((r) => Prisma.sql`(${r.bucket}::timestamptz, ${r.kind}::"EventKind", ${r.reason}::"Reason", ${r.code}, ${r.count}::int)`))}
      ON CONFLICT (bucket, kind, reason, code) DO UPDATE SET count = event_rollup_minute.count + EXCLUDED.count`);
  }
  return statements;
}

/** Which devices dropped in which minute: the fleet-wide analyzer counts devices, not drops (one storm ≠ a fleet event). */
function deviceDropMinuteStatements(events: StoredEvent[]): Prisma.Sql[] {
  const statements: Prisma.Sql[] = [];
  const counts = new Map<string, { bucket: Date; deviceId: string; drops: number }>();
  for (const e of events) {
    if (e.kind !== "disconnected" || e.reason === "client_disconnect") continue;
    const bucket = new Date(Math.floor(e.occurredAt.getTime() / 60_000) * 60_000);
    const key = `${bucket.getTime()}|${e.deviceId}`;
    const entry = counts.get(key);
    if (entry) entry.drops += 1;
    else counts.set(key, { bucket, deviceId: e.deviceId, drops: 1 });
  }
  const rows = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    statements.push(Prisma.sql`
      INSERT INTO device_drop_minute (bucket, device_id, drops)
      VALUES ${Prisma.join(chunk.map((r) => Prisma.sql`(${r.bucket}::timestamptz, ${r.deviceId}, ${r.drops}::int)`))}
      ON CONFLICT (bucket, device_id) DO UPDATE SET drops = device_drop_minute.drops + EXCLUDED.drops`);
  }
  return statements;
}

/** Disconnects and failed connects per device and minute, for filtered fleet breakdowns and drill-downs. */
function deviceReasonMinuteStatements(events: StoredEvent[]): Prisma.Sql[] {
  const statements: Prisma.Sql[] = [];
  type Row = { bucket: Date; deviceId: string; kind: string; reason: Reason; code: string; source: string; brokerNode: string; count: number };
  const counts = new Map<string, Row>();
  for (const e of events) {
    if (e.kind !== "disconnected" && e.kind !== "connect_failed") continue;
    const row = { bucket: minuteOf(e.occurredAt), deviceId: e.deviceId, kind: e.kind, reason: e.reason, code: e.code ?? "", source: e.source, brokerNode: e.brokerNode ?? "" };
    const key = JSON.stringify(Object.values({ ...row, bucket: row.bucket.getTime() }));
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { ...row, count: 1 });
  }
  const rows = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    statements.push(Prisma.sql`
      INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
      VALUES ${Prisma.join(
        chunk.map((r) => Prisma.sql`(${r.bucket}::timestamptz, ${r.deviceId}, ${r.kind}::"EventKind", ${r.reason}::"Reason", ${r.code}, ${r.source}, ${r.brokerNode}, ${r.count}::int)`),
      )}
      ON CONFLICT (bucket, device_id, kind, reason, code, source, broker_node) DO UPDATE SET count = device_reason_minute.count + EXCLUDED.count`);
  }
  return statements;
}

/** The earliest disconnect / failed connect of each code, so "new codes" never scans history. */
function codeFirstSeenStatements(events: StoredEvent[]): Prisma.Sql[] {
  const statements: Prisma.Sql[] = [];
  const first = new Map<string, { at: Date; deviceId: string }>();
  for (const e of events) {
    if ((e.kind !== "disconnected" && e.kind !== "connect_failed") || e.code === null) continue;
    const seen = first.get(e.code);
    if (!seen || e.occurredAt < seen.at || (e.occurredAt.getTime() === seen.at.getTime() && e.deviceId < seen.deviceId)) {
      first.set(e.code, { at: e.occurredAt, deviceId: e.deviceId });
    }
  }
  const rows = [...first.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    statements.push(Prisma.sql`
      INSERT INTO code_first_seen (code, first_seen_at, first_device_id)
      VALUES ${Prisma.join(chunk.map(([code, seen]) => Prisma.sql`(${code}, ${seen.at}::timestamptz, ${seen.deviceId})`))}
      ON CONFLICT (code) DO UPDATE SET first_seen_at = EXCLUDED.first_seen_at, first_device_id = EXCLUDED.first_device_id
      WHERE EXCLUDED.first_seen_at < code_first_seen.first_seen_at`);
  }
  return statements;
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
    else if (group.length > 1) await tx.$executeRaw`WITH ${Prisma.join(group.map((statement, i) => Prisma.sql`${Prisma.raw(`s${i}`)} AS (${statement})`), ", ")} SELECT 1`;
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

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
