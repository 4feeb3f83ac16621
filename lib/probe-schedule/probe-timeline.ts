import { Prisma, type Db } from "@/lib/db/client.ts";
import { ProbeStepNameSchema } from "@/lib/probe/probe-report.ts";
import {
  shapeProbeTimeline,
  TIMELINE_RANGES,
  type AvailabilityRow,
  type StepLatencyRow,
  type TimelineRange,
} from "./shape-probe-timeline.ts";
import { DAY_MS } from "@/lib/time/durations.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const FAILURES_SHOWN = 20;

/** Runs and passing runs over a span; `share` is null without runs. */
export type Availability = { runs: number; passed: number; share: number | null };

const AvailabilityTotalsRowSchema = z.object({
  endpointId: z.string(),
  runs24h: z.number(),
  passed24h: z.number(),
  runs7d: z.number(),
  passed7d: z.number(),
});
const LastRunRowSchema = z.object({ endpointId: z.string(), startedAt: SqlDate, ok: z.boolean(), failedStep: z.string().nullable() });
const AvailabilityRowSchema = z.object({ bucket: SqlDate, runs: z.number(), passed: z.number() }) satisfies z.ZodType<AvailabilityRow>;
const StepLatencyRowSchema = z.object({ bucket: SqlDate, step: z.string(), ms: z.number() }) satisfies z.ZodType<StepLatencyRow>;

const toAvailability = (runs: number, passed: number): Availability => ({ runs, passed, share: runs > 0 ? passed / runs : null });

/** Per endpoint: availability over the last 24 h and 7 d, and its newest run. */
export async function listEndpointHealth(db: Db, now: Date) {
  const since = new Date(now.getTime() - 7 * DAY_MS);
  const day = new Date(now.getTime() - DAY_MS);
  const [totals, lastRuns] = await Promise.all([
    queryRows(
      db,
      "listEndpointHealth.totals",
      AvailabilityTotalsRowSchema,
      Prisma.sql`
      SELECT endpoint_id AS "endpointId",
             COUNT(*) FILTER (WHERE started_at >= ${day})::int AS "runs24h",
             COUNT(*) FILTER (WHERE started_at >= ${day} AND ok)::int AS "passed24h",
             COUNT(*)::int AS "runs7d",
             COUNT(*) FILTER (WHERE ok)::int AS "passed7d"
      FROM probe_runs WHERE started_at >= ${since} AND started_at <= ${now}
      GROUP BY endpoint_id`,
    ),
    queryRows(
      db,
      "listEndpointHealth.lastRuns",
      LastRunRowSchema,
      Prisma.sql`
      SELECT DISTINCT ON (endpoint_id) endpoint_id AS "endpointId", started_at AS "startedAt", ok, failed_step AS "failedStep"
      FROM probe_runs WHERE started_at >= ${since}
      ORDER BY endpoint_id, started_at DESC`,
    ),
  ]);
  const last = new Map(lastRuns.map((run) => [run.endpointId, { startedAt: run.startedAt, ok: run.ok, failedStep: run.failedStep }]));
  return new Map(
    totals.map((row) => [
      row.endpointId,
      {
        last24h: toAvailability(row.runs24h, row.passed24h),
        last7d: toAvailability(row.runs7d, row.passed7d),
        lastRun: last.get(row.endpointId) ?? null,
      },
    ]),
  );
}
export type EndpointHealth = NonNullable<ReturnType<Awaited<ReturnType<typeof listEndpointHealth>>["get"]>>;

/** One endpoint's timeline over `range`: availability and step latencies per bucket, plus its latest failures. */
export async function getEndpointTimeline(db: Db, endpointId: string, input: { now: Date; range: TimelineRange }) {
  const { spanMs, bucketMs } = TIMELINE_RANGES[input.range];
  const from = new Date(input.now.getTime() - spanMs);
  const bucketSeconds = bucketMs / 1000;
  const [availability, latencies, failures, health] = await Promise.all([
    queryRows(
      db,
      "getEndpointTimeline.availability",
      AvailabilityRowSchema,
      Prisma.sql`
      SELECT to_timestamp(floor(extract(epoch FROM started_at) / ${bucketSeconds}) * ${bucketSeconds}) AS bucket,
             COUNT(*)::int AS runs, COUNT(*) FILTER (WHERE ok)::int AS passed
      FROM probe_runs WHERE endpoint_id = ${endpointId} AND started_at >= ${from} AND started_at <= ${input.now}
      GROUP BY 1`,
    ),
    queryRows(
      db,
      "getEndpointTimeline.latencies",
      StepLatencyRowSchema,
      Prisma.sql`
      SELECT to_timestamp(floor(extract(epoch FROM r.started_at) / ${bucketSeconds}) * ${bucketSeconds}) AS bucket,
             s->>'name' AS step, AVG((s->>'durationMs')::float8) AS ms
      FROM probe_runs r CROSS JOIN LATERAL jsonb_array_elements(r.steps) AS s
      WHERE r.endpoint_id = ${endpointId} AND r.started_at >= ${from} AND r.started_at <= ${input.now}
        AND s->>'status' = 'pass' AND s->>'durationMs' IS NOT NULL
      GROUP BY 1, 2`,
    ),
    db.probeRun.findMany({
      where: { endpointId, ok: false },
      orderBy: { startedAt: "desc" },
      take: FAILURES_SHOWN,
      select: { id: true, startedAt: true, finishedAt: true, failedStep: true, explanation: true },
    }),
    listEndpointHealth(db, input.now),
  ]);
  return {
    range: input.range,
    from,
    to: input.now,
    points: shapeProbeTimeline({ from, to: input.now, bucketMs, availability, latencies }),
    health: health.get(endpointId) ?? null,
    failures: failures.map((run) => ({
      ...run,
      id: run.id.toString(),
      failedStep: ProbeStepNameSchema.safeParse(run.failedStep).data ?? null,
    })),
  };
}
export type EndpointTimeline = Awaited<ReturnType<typeof getEndpointTimeline>>;
