import { Prisma } from "@/lib/db/client.ts";
import type { ConnectionEvent, Reason } from "@/lib/events/connection-event.ts";
import type { DeviceStateUpdate } from "./device-state.ts";
import type { FeedUpgrade } from "./feed-echoes.ts";
import { unnestRows } from "./unnest-rows.ts";

/**
 * The writer's rollups of a batch's counted events: the connected-devices gauge, the fleet's minute rows (per shard,
 * decision 034), each device's drop and reason minutes, and each code's first sighting. Pure: each returns the
 * statements the batch's transaction runs together (record-events.ts).
 */

/**
 * The connected-devices gauge moves with the state in the same transaction: per-minute deltas where the fold
 * turned a device online or offline, and the row saying where each online device is counted.
 * Invariant: SUM(fleet_connected_minute.delta) = devices online = rows of fleet_connected_devices.
 */
export function connectedGaugeStatements(updates: DeviceStateUpdate[], shard: number): Prisma.Sql[] {
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
      ${insertConnectedDevicesSql(counted)}
      ON CONFLICT (device_id) DO UPDATE SET source = EXCLUDED.source, broker_node = EXCLUDED.broker_node, since = EXCLUDED.since`);
  }
  return statements;
}

export function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

/** Map values in key order: concurrent writers then lock shared rollup rows in the same order (no deadlocks). */
function sortedValues<T>(rows: Map<string, T>): T[] {
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
}

export function rollupStatements(events: readonly CountedEvent[], shard: number, retracted: readonly CountedEvent[] = []): Prisma.Sql[] {
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
export function deviceDropMinuteStatements(events: readonly CountedEvent[], retracted: readonly CountedEvent[] = []): Prisma.Sql[] {
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
export function deviceReasonMinuteStatements(events: readonly CountedEvent[], retracted: readonly CountedEvent[] = []): Prisma.Sql[] {
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

/**
 * The earliest disconnect / failed connect of each code, so "new codes" never scans history. A conflicting row is
 * locked even when the WHERE keeps it unchanged, so codes already known earlier are filtered out first: otherwise
 * every writer would hold a common code's row (a fleet-wide hot row) until its commit.
 */
export function codeFirstSeenStatements(events: readonly CountedEvent[]): Prisma.Sql[] {
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
export type CountedEvent = Pick<ConnectionEvent, "deviceId" | "kind" | "reason" | "code" | "occurredAt" | "source" | "brokerNode">;

export function replacedRecord(upgrade: FeedUpgrade): CountedEvent {
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

export type ConnectedDeviceRow = { id: string; source: string; brokerNode: string; since: Date };

/** The devices counted connected, with the source and node they count under (decision 009); the bulk builder's too. */
export function insertConnectedDevicesSql(rows: readonly ConnectedDeviceRow[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO fleet_connected_devices (device_id, source, broker_node, since)
    SELECT * FROM ${unnestRows(rows, [
      ["device_id", "text", (r) => r.id],
      ["source", "text", (r) => r.source],
      ["broker_node", "text", (r) => r.brokerNode],
      ["since", "timestamptz", (r) => r.since.toISOString()],
    ])}`;
}
