import { Prisma, type Db } from "@/lib/db/client.ts";
import type { DeviceSample } from "./device-sample.ts";

/** Samples kept per device: a minute's cadence for two weeks, then the oldest go. */
export const MAX_SAMPLES_PER_DEVICE = 20_000;
const INSERT_CHUNK = 1_000;

/** A Prisma client or transaction, or the ingest writer's own transaction. */
export type SqlExecutor = { $executeRaw(statement: Prisma.Sql): PromiseLike<number> };

/**
 * Idempotent (one row per device, series and time: a redelivered report or a re-uploaded export adds nothing) and
 * bounded: each touched device keeps its newest MAX_SAMPLES_PER_DEVICE samples. Runs inside the caller's transaction.
 */
export async function recordDeviceSamples(
  db: SqlExecutor,
  samples: readonly DeviceSample[],
  maxPerDevice = MAX_SAMPLES_PER_DEVICE,
): Promise<number> {
  if (samples.length === 0) return 0;
  let inserted = 0;
  for (let index = 0; index < samples.length; index += INSERT_CHUNK) {
    const rows = samples.slice(index, index + INSERT_CHUNK).map(
      (sample) =>
        Prisma.sql`(${sample.deviceId}, ${sample.series}, ${sample.at}, ${sample.rssiDbm}::real, ${sample.linkQualityPct}::real, ${sample.batteryPct}::real,
          ${sample.freeMemoryBytes === null ? null : BigInt(Math.round(sample.freeMemoryBytes))}::bigint, ${sample.uptimeSec}::real,
          ${sample.publishedMessages === null ? null : BigInt(Math.round(sample.publishedMessages))}::bigint)`,
    );
    inserted += await db.$executeRaw(Prisma.sql`
      INSERT INTO device_samples (device_id, series, at, rssi_dbm, link_quality_pct, battery_pct, free_memory_bytes, uptime_sec, published_messages)
      VALUES ${Prisma.join(rows)}
      ON CONFLICT (device_id, series, at) DO NOTHING`);
  }
  const devices = [...new Set(samples.map((sample) => sample.deviceId))];
  await db.$executeRaw(Prisma.sql`
    DELETE FROM device_samples s USING (
      SELECT device_id, series, at FROM (
        SELECT device_id, series, at, row_number() OVER (PARTITION BY device_id ORDER BY at DESC) AS rank
        FROM device_samples WHERE device_id = ANY(${devices}::text[])
      ) ranked WHERE rank > ${maxPerDevice}
    ) old
    WHERE s.device_id = old.device_id AND s.series = old.series AND s.at = old.at`);
  return inserted;
}

/** A device's samples in [from, to), oldest first, at most `limit` (the newest when there are more). */
export async function listDeviceSamples(
  db: Db,
  input: { deviceId: string; from: Date; to: Date; limit?: number },
): Promise<DeviceSample[]> {
  const rows = await db.deviceSample.findMany({
    where: { deviceId: input.deviceId, at: { gte: input.from, lt: input.to } },
    orderBy: { at: "desc" },
    take: input.limit ?? MAX_SAMPLES_PER_DEVICE,
  });
  return rows.reverse().map((row) => ({
    deviceId: row.deviceId,
    series: row.series,
    at: row.at,
    rssiDbm: row.rssiDbm,
    linkQualityPct: row.linkQualityPct,
    batteryPct: row.batteryPct,
    freeMemoryBytes: row.freeMemoryBytes === null ? null : Number(row.freeMemoryBytes),
    uptimeSec: row.uptimeSec,
    publishedMessages: row.publishedMessages === null ? null : Number(row.publishedMessages),
  }));
}
