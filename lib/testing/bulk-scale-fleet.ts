import type { Db } from "@/lib/db/client.ts";
import { MAX_RAW_BYTES, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { insertEventRowsSql } from "@/lib/ingest/event-rows.ts";
import { insertConnectedDevicesSql } from "@/lib/ingest/rollup-statements.ts";
import { isoOrNull, textOrNull, unnestRows } from "@/lib/ingest/unnest-rows.ts";
import { deriveIngestTables } from "./derive-ingest-tables.ts";
import { WriterReplay, type GaugeMinute, type ReplayedDevice } from "./replay-writer-state.ts";
import { applyScaleMetadata, DEVICES_PER_CHUNK, SCALE_BATCH, scaleChunkEvents, type ScaleFleetOptions } from "./scale-fleet.ts";

type Tx = Pick<Db, "$executeRaw">;

/** Rows per insert statement: one bind parameter per column, so only memory bounds it. */
const ROWS_PER_STATEMENT = 20_000;

/**
 * The same scale fleet as writeScaleFleet leaves through the real writer, built in minutes instead of hours: the
 * writer's device-state fold is replayed in memory over the same delivered batches (WriterReplay), events, devices
 * and gauge rows are inserted in large unnest statements, and sessions and rollups are derived set-based from the
 * stored events. Proved equal to the writer table by table in bulk-scale-fleet.integration.test.ts.
 */
export async function bulkWriteScaleFleet(
  db: Db,
  options: ScaleFleetOptions,
  progress: (written: number, chunk: number) => void,
): Promise<number> {
  const gauge = new Map<string, GaugeMinute>();
  let written = 0;
  let inserting: Promise<void> = Promise.resolve();
  const chunks = Math.ceil(options.devices / DEVICES_PER_CHUNK);
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    // Chunks hold disjoint devices: one replay per chunk keeps memory to a chunk's dedupe keys. The next chunk is
    // generated and replayed while Postgres inserts the previous one.
    const replay = new WriterReplay();
    const delivered = scaleChunkEvents(options, chunk);
    const stored: ConnectionEvent[] = [];
    for (let i = 0; i < delivered.length; i += SCALE_BATCH) stored.push(...replay.applyBatch(delivered.slice(i, i + SCALE_BATCH)));
    for (const row of replay.gaugeMinutes()) {
      const key = `${row.bucket.getTime()}|${row.source}|${row.brokerNode}`;
      const total = gauge.get(key);
      if (total) total.delta += row.delta;
      else gauge.set(key, { ...row });
    }
    await inserting;
    written += delivered.length;
    const done = written;
    inserting = insertChunk(db, [...replay.devices.values()], stored).then(() => progress(done, chunk));
  }
  await inserting;
  await insertGaugeMinutes(db, [...gauge.values()]);
  // Metadata first: the rollups keyed by it are then derived once, not moved device by device by the devices' triggers.
  await applyScaleMetadata(db);
  await deriveIngestTables(db);
  return written;
}

/**
 * One transaction per chunk with foreign-key triggers off (session_replication_role = replica, superuser only): every
 * event's device is inserted first in the same transaction, and the per-row key checks were most of the insert time.
 */
async function insertChunk(db: Db, devices: ReplayedDevice[], events: ConnectionEvent[]): Promise<void> {
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET LOCAL session_replication_role = replica`;
      await insertDevices(tx, devices);
      for (let i = 0; i < events.length; i += ROWS_PER_STATEMENT) await insertEvents(tx, events.slice(i, i + ROWS_PER_STATEMENT));
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
}

async function insertDevices(db: Tx, devices: ReplayedDevice[]): Promise<void> {
  for (let i = 0; i < devices.length; i += ROWS_PER_STATEMENT) {
    const rows = devices.slice(i, i + ROWS_PER_STATEMENT);
    await db.$executeRaw`
      INSERT INTO devices (id, source, broker_node, first_seen_at, state, current_session_key, state_occurred_at, state_ordering,
        last_connected_at, last_disconnected_at, last_reason, last_code, last_client_ip, connect_count, disconnect_count, failed_connect_count)
      SELECT u.id, u.source, u.broker_node, u.first_seen_at, u.state::"DeviceState", u.current_session_key, u.state_occurred_at,
        u.state_ordering, u.last_connected_at, u.last_disconnected_at, u.last_reason::"Reason", u.last_code, u.last_client_ip,
        u.connects, u.disconnects, u.failed
      FROM ${unnestRows(rows, [
        ["id", "text", (d) => d.row.id],
        ["source", "text", (d) => d.source],
        ["broker_node", "text", (d) => d.brokerNode],
        ["first_seen_at", "timestamptz", (d) => d.firstSeenAt.toISOString()],
        ["state", "text", (d) => d.row.state],
        ["current_session_key", "text", (d) => d.row.current_session_key],
        ["state_occurred_at", "timestamptz", (d) => isoOrNull(d.row.state_occurred_at)],
        ["state_ordering", "bigint", (d) => textOrNull(d.row.state_ordering)],
        ["last_connected_at", "timestamptz", (d) => isoOrNull(d.row.last_connected_at)],
        ["last_disconnected_at", "timestamptz", (d) => isoOrNull(d.row.last_disconnected_at)],
        ["last_reason", "text", (d) => d.row.last_reason],
        ["last_code", "text", (d) => d.row.last_code],
        ["last_client_ip", "text", (d) => d.row.last_client_ip],
        ["connects", "int", (d) => d.connects],
        ["disconnects", "int", (d) => d.disconnects],
        ["failed", "int", (d) => d.failed],
      ])}`;
    const counted = rows.flatMap((d) => (d.counted ? [{ id: d.row.id, ...d.counted }] : []));
    if (counted.length > 0) await db.$executeRaw(insertConnectedDevicesSql(counted));
  }
}

/** The writer bounds raw payloads and escapes NUL; the synthetic history has neither case, so it is refused here. */
function rawText(event: ConnectionEvent): string {
  const text = JSON.stringify(event.raw ?? null);
  if (text.includes("\\u0000") || Buffer.byteLength(text, "utf8") > MAX_RAW_BYTES)
    throw new Error(`bulk path: raw payload of ${event.dedupeKey} needs the writer's bounding`);
  return text;
}

async function insertEvents(db: Tx, events: ConnectionEvent[]): Promise<void> {
  await db.$executeRaw(insertEventRowsSql(events.map((event) => ({ event, raw: rawText(event), flags: event.flags }))));
}

async function insertGaugeMinutes(db: Db, rows: GaugeMinute[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
    await db.$executeRaw`
      INSERT INTO fleet_connected_minute (bucket, source, broker_node, delta, shard)
      SELECT u.*, 0::smallint FROM ${unnestRows(rows.slice(i, i + ROWS_PER_STATEMENT), [
        ["bucket", "timestamptz", (r) => r.bucket.toISOString()],
        ["source", "text", (r) => r.source],
        ["broker_node", "text", (r) => r.brokerNode],
        ["delta", "int", (r) => r.delta],
      ])}`;
}
