import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import { ProbeReportSchema, type ProbeReport, type ProbeRunner, type ProbeStepName } from "@/lib/probe/probe-report.ts";
import { REDACTED, redactText } from "@/lib/security/redact.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { scheduledProbeAddressCheck, readScheduledProbeTargets, type ScheduledProbeTargets } from "./scheduled-probe-targets.ts";

export type RunDueProbesOptions = {
  probe: ProbeRunner;
  /** Where runs may connect; by default the operator's lists from the environment (decision 074). */
  targets?: ScheduledProbeTargets;
  now: Date;
  /** Bound on one run: the probe is aborted and the run stored as failed ("did not finish") past it. */
  runTimeoutMs: number;
  /** Endpoints one call claims at most (run side by side). */
  maxRuns: number;
};

export type DueProbesResult = { runs: number; failed: number; discarded: number };

const ClaimedEndpointSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  mqttVersion: z.number(),
  clientId: z.string().nullable(),
  username: z.string().nullable(),
  password: z.string().nullable(),
  caPem: z.string().nullable(),
  claimedAt: SqlDate,
});
type ClaimedEndpoint = z.infer<typeof ClaimedEndpointSchema>;

/** A claim holds an endpoint this much longer than the run may take, so a live run is never claimed twice. */
const LEASE_GRACE_MS = 30_000;

/**
 * Claims the enabled endpoints due at `now` in one statement: SKIP LOCKED lets several worker processes claim side by
 * side without waiting, and moving next_run_at past the run's bound (a lease) hides a claimed endpoint from the others.
 * A process that dies mid-run leaves the lease to expire: the endpoint is due again and another process runs it.
 */
export async function claimDueEndpoints(db: Db, now: Date, leaseMs: number, limit: number): Promise<ClaimedEndpoint[]> {
  return queryRows(
    db,
    "claimDueEndpoints",
    ClaimedEndpointSchema,
    Prisma.sql`
    UPDATE probe_endpoints e
    SET next_run_at = ${now}::timestamptz + ${leaseMs} * interval '1 millisecond', claimed_at = ${now}
    FROM (
      SELECT id FROM probe_endpoints
      WHERE enabled AND next_run_at <= ${now}
      ORDER BY next_run_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) due
    WHERE e.id = due.id
    RETURNING e.id, e.name, e.url, e.mqtt_version AS "mqttVersion", e.client_id AS "clientId", e.username, e.password,
              e.ca_pem AS "caPem", e.claimed_at AS "claimedAt"`,
  );
}

type RunOutcome = { startedAt: Date; finishedAt: Date; report: ProbeReport | null; explanation: string | null };

/** Runs one probe within `timeoutMs`; a hung, failing or malformed probe becomes a failed run, never a hung job. */
async function runBounded(
  probe: ProbeRunner,
  endpoint: ClaimedEndpoint,
  timeoutMs: number,
  targets: ScheduledProbeTargets,
): Promise<RunOutcome> {
  const startedAt = new Date();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve("timeout");
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([
      probe({
        url: endpoint.url,
        mqttVersion: endpoint.mqttVersion === 5 ? 5 : 4,
        ...(endpoint.clientId ? { clientId: endpoint.clientId } : {}),
        ...(endpoint.username ? { username: endpoint.username } : {}),
        ...(endpoint.password ? { password: endpoint.password } : {}),
        ...(endpoint.caPem ? { caPem: endpoint.caPem } : {}),
        stepTimeoutMs: Math.max(1_000, Math.floor(timeoutMs / 4)),
        signal: controller.signal,
        refuseAddress: scheduledProbeAddressCheck(endpoint.url, targets),
      }),
      timedOut,
    ]);
    if (result === "timeout")
      return {
        startedAt,
        finishedAt: new Date(),
        report: null,
        explanation: `The probe did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`,
      };
    const parsed = ProbeReportSchema.safeParse(result);
    if (!parsed.success) return { startedAt, finishedAt: new Date(), report: null, explanation: "The probe returned a malformed report." };
    return {
      startedAt: new Date(parsed.data.startedAt),
      finishedAt: new Date(parsed.data.finishedAt),
      report: parsed.data,
      explanation: null,
    };
  } catch (error) {
    return {
      startedAt,
      finishedAt: new Date(),
      report: null,
      explanation: `The probe could not run: ${scrubSecret(error instanceof Error ? error.message : String(error), endpoint.password)}`,
    };
  } finally {
    clearTimeout(timer);
  }
}

function scrubSecret(text: string, secret: string | null): string {
  return redactText(secret ? text.split(secret).join(REDACTED) : text).slice(0, 2_000);
}

/** The columns the timeline and diagnosis read, from a report (or from a run that produced none). */
export function summarizeReport(report: ProbeReport | null, explanation: string | null) {
  if (!report) return { ok: false, failedStep: null, steps: [], explanation };
  const failed = report.steps.find((step) => step.status === "fail") ?? null;
  return {
    ok: report.ok,
    failedStep: (failed?.name ?? null) as ProbeStepName | null,
    steps: report.steps.map((step) => ({ name: step.name, status: step.status, durationMs: step.durationMs })),
    explanation: failed ? (failed.explanation ?? failed.summary) : null,
  };
}

/** The report as plain JSON for the `report` column (the schema's types are narrower than Prisma's JSON input). */
export function toStoredReport(report: ProbeReport): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(report)) as Prisma.InputJsonObject;
}

/**
 * Stores the run and schedules the next one from the claim's time, in one transaction, only while the claim is still
 * this run's: a run that outlived its lease (and was claimed again) is discarded rather than stored twice.
 */
async function recordRun(db: Db, endpoint: ClaimedEndpoint, outcome: RunOutcome): Promise<boolean> {
  const summary = summarizeReport(outcome.report, outcome.explanation);
  return db.$transaction(async (tx) => {
    const released = await tx.$executeRaw`
      UPDATE probe_endpoints SET next_run_at = claimed_at + interval_minutes * interval '1 minute', claimed_at = NULL
      WHERE id = ${endpoint.id} AND claimed_at = ${endpoint.claimedAt}`;
    if (released === 0) return false;
    await tx.probeRun.create({
      data: {
        endpointId: endpoint.id,
        startedAt: outcome.startedAt,
        finishedAt: outcome.finishedAt,
        ok: summary.ok,
        failedStep: summary.failedStep,
        steps: summary.steps,
        explanation: summary.explanation,
        report: outcome.report ? toStoredReport(outcome.report) : Prisma.DbNull,
      },
    });
    return true;
  });
}

/** Claims the endpoints due now, probes them side by side (each within its bound) and stores each result once. */
export async function runDueProbes(db: Db, options: RunDueProbesOptions): Promise<DueProbesResult> {
  const claimed = await claimDueEndpoints(db, options.now, options.runTimeoutMs + LEASE_GRACE_MS, options.maxRuns);
  const targets = options.targets ?? readScheduledProbeTargets();
  const results = await Promise.all(
    claimed.map(async (endpoint) => {
      const outcome = await runBounded(options.probe, endpoint, options.runTimeoutMs, targets);
      return { stored: await recordRun(db, endpoint, outcome), ok: outcome.report?.ok ?? false };
    }),
  );
  return {
    runs: results.filter((result) => result.stored).length,
    failed: results.filter((result) => result.stored && !result.ok).length,
    discarded: results.filter((result) => !result.stored).length,
  };
}
