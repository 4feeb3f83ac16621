import { Prisma, type Db } from "@/lib/db/client.ts";
import { PROBE_COINCIDENCE_MS, type ProbeEvidence, type ProbeRunEvidence } from "@/lib/diagnosis/probe-coincidence.ts";
import { ProbeStepNameSchema } from "@/lib/probe/probe-report.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

/** A fleet scope as diagnosis and incidents name it: a source and, where known, a broker node. */
export type ProbeScope = { source: string; brokerNode: string | null };

type ScopeEndpoint = { id: string; name: string };
const RunRowSchema = z.object({
  endpointId: z.string(),
  startedAt: SqlDate,
  ok: z.boolean(),
  failedStep: z.string().nullable(),
  explanation: z.string().nullable(),
});
type RunRow = z.infer<typeof RunRowSchema>;

/**
 * The endpoints that probe a scope's broker: those configured for its exact broker node, else those configured for
 * the whole source (no node). Disabled endpoints count too: their past runs are still evidence.
 */
export async function findScopeEndpoints(db: Db, scope: ProbeScope): Promise<ScopeEndpoint[]> {
  const candidates = await db.probeEndpoint.findMany({
    where: { source: scope.source },
    select: { id: true, name: true, brokerNode: true },
    orderBy: { name: "asc" },
  });
  const exact = candidates.filter((endpoint) => endpoint.brokerNode !== null && endpoint.brokerNode === scope.brokerNode);
  return (exact.length > 0 ? exact : candidates.filter((endpoint) => endpoint.brokerNode === null)).map(({ id, name }) => ({ id, name }));
}

function toEvidence(endpoints: readonly ScopeEndpoint[], rows: readonly RunRow[]): ProbeEvidence {
  const names = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.name]));
  return {
    endpointNames: endpoints.map((endpoint) => endpoint.name),
    runs: rows.map((row): ProbeRunEvidence => ({
      endpointName: names.get(row.endpointId) ?? row.endpointId,
      startedAt: row.startedAt,
      ok: row.ok,
      failedStep: ProbeStepNameSchema.safeParse(row.failedStep).data ?? null,
      explanation: row.explanation,
    })),
  };
}

/**
 * The scope's probe runs within PROBE_COINCIDENCE_MS (rounded out to the minute) of any of `times`: bounded by the
 * device's drops, never a scan of every run. Null when no endpoint probes the scope.
 */
export async function loadProbeEvidenceAround(db: Db, scope: ProbeScope, times: readonly Date[]): Promise<ProbeEvidence | null> {
  const endpoints = await findScopeEndpoints(db, scope);
  if (endpoints.length === 0) return null;
  if (times.length === 0) return toEvidence(endpoints, []);
  const minutes = [...new Set(times.map((at) => new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString()))];
  const padMs = PROBE_COINCIDENCE_MS + 60_000;
  const rows = await queryRows(
    db,
    "loadProbeEvidenceAround",
    RunRowSchema,
    Prisma.sql`
    SELECT DISTINCT r.id, r.endpoint_id AS "endpointId", r.started_at AS "startedAt", r.ok, r.failed_step AS "failedStep", r.explanation
    FROM unnest(${minutes}::timestamptz[]) AS m(minute)
    JOIN probe_runs r
      ON r.started_at BETWEEN m.minute - ${padMs} * interval '1 millisecond' AND m.minute + ${padMs} * interval '1 millisecond'
    WHERE r.endpoint_id = ANY(${endpoints.map((endpoint) => endpoint.id)}::text[])
    ORDER BY r.started_at`,
  );
  return toEvidence(endpoints, rows);
}

/** The scope's probe runs in [from, to]; null when no endpoint probes the scope. */
export async function loadProbeEvidenceBetween(db: Db, scope: ProbeScope, from: Date, to: Date): Promise<ProbeEvidence | null> {
  const endpoints = await findScopeEndpoints(db, scope);
  if (endpoints.length === 0) return null;
  const rows = await db.probeRun.findMany({
    where: { endpointId: { in: endpoints.map((endpoint) => endpoint.id) }, startedAt: { gte: from, lte: to } },
    orderBy: { startedAt: "asc" },
    take: 5_000,
    select: { endpointId: true, startedAt: true, ok: true, failedStep: true, explanation: true },
  });
  return toEvidence(endpoints, rows);
}
