import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { generateSyntheticFleetEvents } from "@/lib/testing/synthetic-fleet.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { foldCohortHours } from "./fold-cohort-hours.ts";

const HOUR = 3_600_000;
const FROM = new Date(Date.UTC(2026, 9, 1));
const MID = new Date(FROM.getTime() + 30 * HOUR + 17 * 60_000);
const END = new Date(FROM.getTime() + 54 * HOUR + 41 * 60_000);

type KeyHour = { bucket: Date; key: string; devices: number; exposure: number; connected: number };

const database = useTestDatabase();

async function write(events: ConnectionEvent[]) {
  for (let i = 0; i < events.length; i += 500) await recordIngestBatch(database.db, { events: events.slice(i, i + 500) });
}

/** What the fold keeps, one row per hour and key (one dimension's value), or per hour and device profile. */
async function folded(keys: "dimension" | "profile" = "dimension"): Promise<KeyHour[]> {
  if (keys === "profile") {
    return database.db.$queryRaw<KeyHour[]>`
      SELECT bucket, concat_ws('|', firmware, region, network, labels::text, source, broker_node) AS key, devices,
             exposure_s AS exposure, connected_s AS connected
      FROM cohort_profile_hour WHERE devices > 0 OR connected_s > 0 ORDER BY bucket, key`;
  }
  return database.db.$queryRaw<KeyHour[]>`
    SELECT bucket, concat_ws('|', dimension, value, source, broker_node) AS key, devices,
           exposure_s AS exposure, connected_s AS connected
    FROM cohort_hour WHERE devices > 0 OR connected_s > 0 ORDER BY bucket, key`;
}

const DIMENSION_KEYS = Prisma.sql`
    CROSS JOIN LATERAL (
      VALUES ('firmware', COALESCE(d.firmware, '')), ('region', COALESCE(d.region, '')), ('network', COALESCE(d.network, '')),
             ('label:model', d.labels ->> 'model')
    ) k (dimension, value)
    WHERE k.value IS NOT NULL`;
const DIMENSION_KEY = Prisma.sql`concat_ws('|', k.dimension, k.value, COALESCE(d.source, ''), COALESCE(d.broker_node, ''))`;
const PROFILE_KEY = Prisma.sql`concat_ws('|', COALESCE(d.firmware, ''), COALESCE(d.region, ''), COALESCE(d.network, ''), d.labels::text,
                                          COALESCE(d.source, ''), COALESCE(d.broker_node, ''))`;

/** The same figures the slow way: every device-hour enumerated, every session clipped to every hour. */
async function enumerated(now: Date, keys: "dimension" | "profile" = "dimension"): Promise<KeyHour[]> {
  return database.db.$queryRaw<KeyHour[]>`
    WITH hours AS (
      SELECT h FROM generate_series(${FROM}::timestamptz - interval '1 hour', ${now}::timestamptz, interval '1 hour') h WHERE h < ${now}
    ), present AS (
      SELECT DISTINCT s.device_id, hours.h FROM sessions s JOIN hours ON s.started_at < hours.h + interval '1 hour' AND s.started_at < ${now}
        AND (s.ended_at IS NULL OR s.ended_at > hours.h)
      UNION
      SELECT device_id, date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM device_reason_minute WHERE bucket < ${now}
    ), connected AS (
      SELECT s.device_id, hours.h,
             SUM(EXTRACT(EPOCH FROM LEAST(COALESCE(s.ended_at, ${now}), hours.h + interval '1 hour', ${now}) - GREATEST(s.started_at, hours.h))) AS seconds
      FROM sessions s JOIN hours ON s.started_at < hours.h + interval '1 hour' AND (s.ended_at IS NULL OR s.ended_at > hours.h)
      WHERE LEAST(COALESCE(s.ended_at, ${now}), hours.h + interval '1 hour', ${now}) > GREATEST(s.started_at, hours.h)
      GROUP BY 1, 2
    ), per_device AS (
      SELECT COALESCE(p.device_id, c.device_id) AS device_id, COALESCE(p.h, c.h) AS h, p.device_id IS NOT NULL AS present,
             COALESCE(c.seconds, 0) AS connected
      FROM present p FULL JOIN connected c ON c.device_id = p.device_id AND c.h = p.h
    )
    SELECT x.h AS bucket, ${keys === "profile" ? PROFILE_KEY : DIMENSION_KEY} AS key,
           COUNT(*) FILTER (WHERE x.present)::int AS devices,
           COALESCE(SUM(EXTRACT(EPOCH FROM LEAST(x.h + interval '1 hour', ${now}) - GREATEST(x.h, d.first_seen_at))) FILTER (WHERE x.present), 0)::float8 AS exposure,
           SUM(x.connected)::float8 AS connected
    FROM per_device x JOIN devices d ON d.id = x.device_id ${keys === "profile" ? Prisma.empty : DIMENSION_KEYS}
    GROUP BY 1, 2 ORDER BY 1, 2`;
}

function expectSameFigures(actual: KeyHour[], expected: KeyHour[]) {
  const index = (rows: KeyHour[]) => new Map(rows.map((row) => [`${row.bucket.toISOString()} ${row.key}`, row]));
  const byKey = index(actual);
  expect([...byKey.keys()].sort()).toEqual([...index(expected).keys()].sort());
  for (const row of expected) {
    const got = byKey.get(`${row.bucket.toISOString()} ${row.key}`);
    expect(got?.devices, `${row.bucket.toISOString()} ${row.key}`).toBe(row.devices);
    expect(got?.exposure).toBeCloseTo(row.exposure, 3);
    expect(got?.connected).toBeCloseTo(row.connected, 3);
  }
}

describe("cohort-hour fold", () => {
  it("matches a device-hour enumeration, after an incremental fold that took in late events", async () => {
    const events = generateSyntheticFleetEvents({
      seed: 17,
      devices: 40,
      from: FROM,
      to: END,
      meanSessionMs: 3 * HOUR,
      meanGapMs: 20 * 60_000,
      sources: ["emqx", "aws-iot"],
      nodes: ["node-1"],
      takeoverRate: 0.05,
      missingDisconnectRate: 0.05,
      failedConnectRate: 0.1,
      duplicateRate: 0.02,
      lateRate: 0.05,
    });
    // Part of the history before MID arrives only after the first fold (a late import, a backlog).
    const late = events.filter(
      (event, i) => event.occurredAt < MID && event.occurredAt.getTime() > MID.getTime() - 6 * HOUR && i % 5 === 0,
    );
    const lateKeys = new Set(late.map((event) => event.dedupeKey));
    await write(events.filter((event) => event.occurredAt < MID && !lateKeys.has(event.dedupeKey)));
    await database.db.$executeRaw`
      UPDATE devices SET firmware = 'fw-' || (hashtext(id) & 3), region = CASE WHEN hashtext(id || 'r') & 1 = 0 THEN 'eu' END,
                         labels = jsonb_build_object('model', 'M' || (hashtext(id || 'm') & 1))`;
    const first = await foldCohortHours(database.db, { now: MID });
    expect(first.folded).toBe(true);
    expectSameFigures(await folded(), await enumerated(MID));

    await write([...late, ...events.filter((event) => event.occurredAt >= MID)]);
    const second = await foldCohortHours(database.db, { now: END });
    // Only the hours the late events touched onwards were folded again.
    expect(second.from.getTime()).toBeGreaterThan(FROM.getTime() + 20 * HOUR);
    expect(second.from.getTime()).toBeLessThan(MID.getTime());
    expectSameFigures(await folded(), await enumerated(END));
    // Per device profile (every metadata column at once), what cohorts filtered on another dimension read.
    expectSameFigures(await folded("profile"), await enumerated(END, "profile"));

    // From scratch in 5-hour transactions (how a first fold walks months of history), right after the late events
    // arrived: the same figures.
    await database.db.$executeRaw`DELETE FROM cohort_fold_state`;
    await database.db.$executeRaw`DELETE FROM cohort_hour`;
    const chunked = await foldCohortHours(database.db, { now: END, chunkHours: 5 });
    expect(chunked.to).toEqual(END);
    expectSameFigures(await folded(), await enumerated(END));
  }, 300_000);

  it("sums drops and refusals per hour and reason as the per-device rollup has them", async () => {
    const [totals] = await database.db.$queryRaw<{ folded: number; profiles: number; source: number }[]>`
      SELECT (SELECT SUM(count) FROM cohort_reason_hour WHERE dimension = 'firmware')::int AS folded,
             (SELECT SUM(count) FROM cohort_profile_reason_hour)::int AS profiles,
             (SELECT SUM(count) FROM device_reason_minute WHERE (kind = 'disconnected' AND reason <> 'client_disconnect') OR kind = 'connect_failed')::int AS source`;
    expect(totals?.folded).toBeGreaterThan(0);
    expect(totals?.folded).toBe(totals?.source);
    expect(totals?.profiles).toBe(totals?.source);
  });
});
