import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { generateSyntheticFleetEvents } from "./synthetic-fleet.ts";

const DAY = 86_400_000;
/** Devices generated (and written) at a time, so a 10M-event history never sits in memory at once. */
export const DEVICES_PER_CHUNK = 2_000;
/** Events per delivered batch, through the writer or replayed by the bulk path (bulk-scale-fleet.ts). */
export const SCALE_BATCH = 1_000;

export type ScaleFleetOptions = { devices: number; days: number; events: number; to: Date; seed?: number };

export const SCALE_FIRMWARE = ["fw-1.0", "fw-1.1", "fw-2.0", "fw-2.1", "fw-3.0", "fw-3.1", "fw-4.0", "fw-4.1"];
export const SCALE_REGIONS = ["eu-west-1", "us-east-1", "ap-south-1", "sa-east-1"];
export const SCALE_NETWORKS = ["lte", "wifi", "ethernet"];

/** The ID of device `index` of a scale fleet (chunked: the generator numbers devices per chunk). */
export function scaleDeviceId(index: number): string {
  const chunk = Math.floor(index / DEVICES_PER_CHUNK);
  return `scale-c${String(chunk).padStart(3, "0")}-${String(index % DEVICES_PER_CHUNK).padStart(5, "0")}`;
}

/**
 * Mean session and gap that give about `events` events over `devices` × `days`: a cycle (optional refused connect,
 * connect, disconnect) is about 2.1 events.
 */
export function cycleFor(options: ScaleFleetOptions): { meanSessionMs: number; meanGapMs: number } {
  const cycleMs = (2.1 * options.days * DAY * options.devices) / options.events;
  const meanGapMs = Math.min(30 * 60_000, cycleMs * 0.1);
  return { meanSessionMs: cycleMs - meanGapMs, meanGapMs };
}

/** The synthetic events of one chunk of devices, in delivery order. */
export function scaleChunkEvents(options: ScaleFleetOptions, chunk: number): ConnectionEvent[] {
  const from = new Date(options.to.getTime() - options.days * DAY);
  const devices = Math.min(DEVICES_PER_CHUNK, options.devices - chunk * DEVICES_PER_CHUNK);
  return generateSyntheticFleetEvents({
    seed: (options.seed ?? 1) * 100_003 + chunk,
    devices,
    from,
    to: options.to,
    ...cycleFor(options),
    sources: ["emqx", "aws-iot"],
    nodes: ["node-1", "node-2", "node-3"],
    takeoverRate: 0.03,
    duplicateRate: 0.01,
    lateRate: 0.02,
    devicePrefix: `scale-c${String(chunk).padStart(3, "0")}`,
  });
}

/**
 * Writes a scale fleet's history through the real writer (recordIngestBatch, batches of 1,000), `lanes` chunks of
 * devices at a time (each lane its own connection), then gives the devices metadata (firmware, region, network, a
 * `model` label). A batch that fails (a deadlock between lanes on a shared rollup row) is written again: the writer
 * is idempotent. Calls `progress` after each chunk.
 */
export async function writeScaleFleet(
  db: Db,
  options: ScaleFleetOptions & { lanes?: number },
  progress: (written: number, chunk: number) => void,
): Promise<number> {
  let written = 0;
  const chunks = Math.ceil(options.devices / DEVICES_PER_CHUNK);
  let next = 0;
  const lane = async () => {
    for (let chunk = next++; chunk < chunks; chunk = next++) {
      const events = scaleChunkEvents(options, chunk);
      for (let i = 0; i < events.length; i += SCALE_BATCH) await writeWithRetry(db, events.slice(i, i + SCALE_BATCH));
      written += events.length;
      progress(written, chunk);
    }
  };
  await Promise.all(Array.from({ length: options.lanes ?? 1 }, lane));
  await applyScaleMetadata(db);
  return written;
}

/** Gives every device of a scale fleet its metadata (firmware, region, network, a `model` label), from its ID. */
export async function applyScaleMetadata(db: Db): Promise<void> {
  await db.$executeRaw`
    UPDATE devices SET
      firmware = (${SCALE_FIRMWARE}::text[])[1 + (hashtext(id) & 1023) % ${SCALE_FIRMWARE.length}::int],
      region = (${SCALE_REGIONS}::text[])[1 + (hashtext(id || 'r') & 1023) % ${SCALE_REGIONS.length}::int],
      network = (${SCALE_NETWORKS}::text[])[1 + (hashtext(id || 'n') & 1023) % ${SCALE_NETWORKS.length}::int],
      labels = jsonb_build_object('model', 'M' || ((hashtext(id || 'm') & 1023) % 5))`;
}

async function writeWithRetry(db: Db, events: ConnectionEvent[]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await recordIngestBatch(db, { events });
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      console.warn(
        `batch failed (attempt ${attempt}), writing it again: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`,
      );
    }
  }
}
