import { makeProbeEndpointInput } from "@/lib/testing/factories.ts";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createDb, type Db } from "@/lib/db/client.ts";
import { toJsonText } from "@/lib/json/json-text.ts";
import { startJobQueue } from "@/lib/jobs/job-queue.ts";
import { createLogger } from "@/lib/log/logger.ts";
import type { ProbeOptions } from "@/lib/probe/probe-report.ts";
import { buildProbeReport, createFakeProbeRunner } from "@/lib/testing/probe-report-factory.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { createProbeEndpoint, getProbeEndpoint } from "./probe-endpoints.ts";
import { startProbeScheduleJob } from "./probe-schedule-job.ts";
import { pruneProbeRuns } from "./prune-probe-runs.ts";
import { runDueProbes } from "./run-due-probes.ts";

const testDb = useTestDatabase();
// A second client with its own pool: a second worker process on the same database.
let otherWorker: Db;
beforeAll(async () => {
  otherWorker = createDb(testDb.url);
});
afterAll(async () => {
  await otherWorker?.$disconnect();
});

const MINUTE = 60_000;
// Each test runs at its own time, years ahead and earlier than the previous test's, so endpoints of earlier tests
// are never due in a later one (nor on the wall clock the job test uses).
const at = (year: number, hour: number) => new Date(Date.UTC(year, 11, 1, hour, 0, 0));
const by = { actor: CLI_ACTOR };

async function createEndpoints(count: number, overrides: { intervalMinutes?: number; password?: string } = {}) {
  const tag = randomUUID().slice(0, 8);
  const endpoints = [];
  for (let i = 0; i < count; i++) {
    endpoints.push(
      await createProbeEndpoint(
        testDb.db,
        makeProbeEndpointInput({
          name: `sched-${tag}-${i}`,
          url: `mqtts://broker-${tag}-${i}.test:8883`,
          intervalMinutes: overrides.intervalMinutes ?? 5,
          username: "probe",
          password: overrides.password ?? null,
        }),
        by,
      ),
    );
  }
  return endpoints;
}

/** Puts every endpoint of `ids` due at `at` (the test's clock, not the wall clock). */
async function makeDue(ids: string[], at: Date) {
  await testDb.db.probeEndpoint.updateMany({ where: { id: { in: ids } }, data: { nextRunAt: at } });
}

function countCalls(calls: readonly ProbeOptions[], urls: readonly string[]): number[] {
  return urls.map((url) => calls.filter((call) => call.url === url).length);
}

describe("scheduled probes against a real Postgres", () => {
  it("runs each due endpoint once across two worker processes, then again one interval later", async () => {
    const endpoints = await createEndpoints(12);
    const ids = endpoints.map((endpoint) => endpoint.id);
    const urls = endpoints.map((endpoint) => endpoint.url);
    const t0 = at(2031, 10);
    await makeDue(ids, t0);
    const first = createFakeProbeRunner();
    const second = createFakeProbeRunner();
    const options = { now: t0, runTimeoutMs: 10_000, maxRuns: 50 };

    const results = await Promise.all([
      runDueProbes(testDb.db, { ...options, probe: first.runner }),
      runDueProbes(otherWorker, { ...options, probe: second.runner }),
      runDueProbes(otherWorker, { ...options, probe: second.runner }),
    ]);
    expect(countCalls([...first.calls, ...second.calls], urls)).toEqual(urls.map(() => 1));
    expect(results.reduce((sum, result) => sum + result.runs, 0)).toBe(12);
    expect(await testDb.db.probeRun.count({ where: { endpointId: { in: ids } } })).toBe(12);

    // Not due again before the interval is over, whoever asks.
    await runDueProbes(otherWorker, { ...options, now: new Date(t0.getTime() + 4 * MINUTE), probe: second.runner });
    expect(countCalls([...first.calls, ...second.calls], urls)).toEqual(urls.map(() => 1));

    // The next interval is measured from the claim: due again at t0 + 5 min, once.
    const t1 = new Date(t0.getTime() + 5 * MINUTE);
    await Promise.all([
      runDueProbes(testDb.db, { ...options, now: t1, probe: first.runner }),
      runDueProbes(otherWorker, { ...options, now: t1, probe: second.runner }),
    ]);
    expect(countCalls([...first.calls, ...second.calls], urls)).toEqual(urls.map(() => 2));
    expect(await testDb.db.probeRun.count({ where: { endpointId: { in: ids } } })).toBe(24);
  });

  it("stores each run's steps, failing step and explanation, and passes the stored credentials to the probe only", async () => {
    const [endpoint] = await createEndpoints(1, { password: "s3cret-Pa55" });
    if (!endpoint) throw new Error("no endpoint");
    const t0 = at(2030, 11);
    await makeDue([endpoint.id], t0);
    const fake = createFakeProbeRunner((options) =>
      buildProbeReport({ url: options.url, at: t0, failAt: "tls", explanation: "The server's certificate expired on 2026-11-30." }),
    );

    expect(await runDueProbes(testDb.db, { probe: fake.runner, now: t0, runTimeoutMs: 10_000, maxRuns: 10 })).toMatchObject({
      runs: 1,
      failed: 1,
    });
    expect(fake.calls[0]).toMatchObject({ url: endpoint.url, username: "probe", password: "s3cret-Pa55", mqttVersion: 4 });
    const run = await testDb.db.probeRun.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    expect(run).toMatchObject({
      ok: false,
      failedStep: "tls",
      explanation: "The server's certificate expired on 2026-11-30.",
      startedAt: t0,
    });
    expect(run.steps).toEqual([
      { name: "dns", status: "pass", durationMs: 12 },
      { name: "tcp", status: "pass", durationMs: 12 },
      { name: "tls", status: "fail", durationMs: 12 },
      { name: "mqtt_connect", status: "skipped", durationMs: null },
      { name: "ping", status: "skipped", durationMs: null },
      { name: "pubsub", status: "skipped", durationMs: null },
      { name: "idle", status: "skipped", durationMs: null },
    ]);
    expect(toJsonText(run)).not.toContain("s3cret-Pa55");
    const view = await getProbeEndpoint(testDb.db, endpoint.id);
    expect(view).toMatchObject({ hasPassword: true, username: "probe" });
    expect(toJsonText(view)).not.toContain("s3cret-Pa55");
  });

  it("bounds a probe that hangs: it is aborted and stored as a failed run, and the endpoint is scheduled again", async () => {
    const [endpoint] = await createEndpoints(1);
    if (!endpoint) throw new Error("no endpoint");
    const t0 = at(2029, 12);
    await makeDue([endpoint.id], t0);
    let aborted = false;
    const hanging = createFakeProbeRunner(
      (options) =>
        new Promise(() => {
          options.signal?.addEventListener("abort", () => {
            aborted = true;
          });
        }),
    );

    expect(await runDueProbes(testDb.db, { probe: hanging.runner, now: t0, runTimeoutMs: 1_000, maxRuns: 10 })).toMatchObject({
      runs: 1,
      failed: 1,
    });
    expect(aborted).toBe(true);
    const run = await testDb.db.probeRun.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    expect(run).toMatchObject({ ok: false, failedStep: null, explanation: "The probe did not finish within 1 s and was stopped." });
    expect((await testDb.db.probeEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).nextRunAt).toEqual(
      new Date(t0.getTime() + 5 * MINUTE),
    );
  });

  it("a run whose worker died is run again once its claim expires, and the late result of the first claim is discarded", async () => {
    const [endpoint] = await createEndpoints(1);
    if (!endpoint) throw new Error("no endpoint");
    const t0 = at(2028, 13);
    await makeDue([endpoint.id], t0);
    let release: () => void = () => {};
    const slow = createFakeProbeRunner(
      (options) => new Promise((resolve) => (release = () => resolve(buildProbeReport({ url: options.url, at: t0 })))),
    );
    const stuck = runDueProbes(testDb.db, { probe: slow.runner, now: t0, runTimeoutMs: 60_000, maxRuns: 10 });
    await waitFor(
      () => slow.calls.length,
      (calls) => calls === 1,
    );

    // Within the claim, nobody else runs it; after it (60 s bound + 30 s grace), another worker does.
    const fresh = createFakeProbeRunner();
    await runDueProbes(otherWorker, { probe: fresh.runner, now: new Date(t0.getTime() + 80_000), runTimeoutMs: 60_000, maxRuns: 10 });
    expect(fresh.calls).toHaveLength(0);
    expect(
      await runDueProbes(otherWorker, { probe: fresh.runner, now: new Date(t0.getTime() + 95_000), runTimeoutMs: 60_000, maxRuns: 10 }),
    ).toMatchObject({ runs: 1 });
    expect(fresh.calls).toHaveLength(1);

    release();
    expect(await stuck).toMatchObject({ runs: 0, discarded: 1 });
    expect(await testDb.db.probeRun.count({ where: { endpointId: endpoint.id } })).toBe(1);
  });

  it("skips disabled endpoints and deletes runs older than the retention", async () => {
    const [kept, disabled] = await createEndpoints(2);
    if (!kept || !disabled) throw new Error("no endpoints");
    await testDb.db.probeEndpoint.update({ where: { id: disabled.id }, data: { enabled: false } });
    // The job runs on the wall clock.
    const now = new Date();
    const day = 86_400_000;
    await testDb.db.probeRun.createMany({
      data: [31, 29, 1].map((daysAgo) => ({
        endpointId: kept.id,
        startedAt: new Date(now.getTime() - daysAgo * day),
        finishedAt: new Date(now.getTime() - daysAgo * day + 100),
        ok: true,
      })),
    });
    await makeDue([kept.id, disabled.id], new Date(now.getTime() - MINUTE));
    const fake = createFakeProbeRunner();
    const log = createLogger("test");
    const jobs = await startJobQueue(testDb.db, log);
    const job = await startProbeScheduleJob(jobs, testDb.db, log, {
      probe: fake.runner,
      tickMs: 3_600_000,
      runTimeoutMs: 10_000,
      retentionDays: 30,
    });
    await waitFor(
      () => fake.calls.length,
      (calls) => calls >= 1,
    );
    await job.stop();
    await jobs.stop();

    expect(fake.calls.map((call) => call.url)).toEqual([kept.url]);
    const ages = (await testDb.db.probeRun.findMany({ where: { endpointId: kept.id }, orderBy: { startedAt: "asc" } })).map((run) =>
      Math.max(0, Math.round((now.getTime() - run.startedAt.getTime()) / day)),
    );
    expect(ages).toEqual([29, 1, 0]);
    expect(await pruneProbeRuns(testDb.db, { now: new Date(now.getTime() + 2 * day), retentionDays: 30 })).toBe(1);
  });
});
