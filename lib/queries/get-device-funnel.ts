import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlCount, SqlDate } from "@/lib/db/sql-values.ts";
import { EventKindSchema, ReasonSchema } from "@/lib/events/connection-event.ts";
import { shapeAttemptFunnel, stageOfProbeStep, type AttemptFunnel, type FunnelProbeRuns } from "@/lib/funnel/attempt-funnel.ts";
import { deviceEventsNewestFirst } from "./device-events-newest-first.ts";

const FunnelRowSchema = z.object({
  side: z.enum(["broker", "device"]),
  kind: EventKindSchema,
  reason: ReasonSchema,
  code: z.string().nullable(),
  phase: z.enum(["attempt", "session"]).nullable(),
  count: SqlCount,
  latestAt: SqlDate.nullable(),
});

const ProbeRowSchema = z.object({ failedStep: z.string().nullable(), count: SqlCount, latestAt: SqlDate.nullable() });

export type DeviceFunnel = AttemptFunnel & { deviceId: string; from: Date; to: Date };

/**
 * A device's connection attempts in [from, to) by the stage they reached: its events counted per kind, reason and code
 * in Postgres (one row per group back, however many events a storming device logged), the agent's report type read as
 * the phase of a device-side error, echoes of another feed left out (decision 080); plus the probe runs uploaded from
 * the device's network in the range.
 */
export async function getDeviceFunnel(db: Db, input: { deviceId: string; from: Date; to: Date }): Promise<DeviceFunnel> {
  const { deviceId, from, to } = input;
  const [rows, probes] = await Promise.all([
    queryRows(
      db,
      "getDeviceFunnel",
      FunnelRowSchema,
      Prisma.sql`
      SELECT CASE WHEN e.kind = 'device_report' THEN 'device' ELSE 'broker' END AS side,
             e.kind, e.reason, e.code,
             CASE WHEN e.kind = 'device_report' THEN
               CASE e.raw -> 'report' ->> 'type' WHEN 'drop' THEN 'session' WHEN 'connect_failed' THEN 'attempt' END
             END AS phase,
             count(*) AS count, max(e.occurred_at) AS "latestAt"
      FROM connection_events e
      WHERE ${deviceEventsNewestFirst(deviceId).where} AND e.occurred_at >= ${from} AND e.occurred_at < ${to} AND e.echo_of IS NULL
      GROUP BY 1, 2, 3, 4, 5`,
    ),
    queryRows(
      db,
      "getDeviceFunnelProbes",
      ProbeRowSchema,
      Prisma.sql`
      SELECT (SELECT s ->> 'name' FROM jsonb_array_elements(p.report -> 'steps') s WHERE s ->> 'status' = 'fail' LIMIT 1) AS "failedStep",
             count(*) AS count, max(p.started_at) FILTER (WHERE NOT p.ok) AS "latestAt"
      FROM device_probe_runs p
      WHERE p.device_id = ${deviceId} AND p.started_at >= ${from} AND p.started_at < ${to}
      GROUP BY 1`,
    ),
  ]);
  return { deviceId, from, to, ...shapeAttemptFunnel(rows, { probe: countProbeRuns(probes) }) };
}

function countProbeRuns(rows: readonly z.infer<typeof ProbeRowSchema>[]): FunnelProbeRuns {
  const probe: FunnelProbeRuns = { runs: 0, failedAt: {}, latestFailedAt: null };
  for (const row of rows) {
    probe.runs += row.count;
    if (row.failedStep === null) continue;
    const stage = stageOfProbeStep(row.failedStep);
    probe.failedAt[stage] = (probe.failedAt[stage] ?? 0) + row.count;
    if (row.latestAt && (!probe.latestFailedAt || row.latestAt > probe.latestFailedAt)) probe.latestFailedAt = row.latestAt;
  }
  return probe;
}
