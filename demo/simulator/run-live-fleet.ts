import type { Db } from "@/lib/db/client.ts";
import { startEmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { startIngestWorker } from "@/lib/ingest/ingest-worker.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { createSimulatorAuthenticator, DEMO_PUBLISH_RATE_LIMIT, startFleetSimulator, type ScenarioName } from "./fleet-simulator.ts";

/** Which stored events count as "this device has shown its fault": at least `min` events of that kind and reason. */
export type LiveFaultExpectation = {
  deviceId: string;
  kind: "connected" | "disconnected" | "connect_failed";
  reason?: "connection_lost" | "keepalive_timeout" | "auth_failed";
  min: number;
};

export type LiveFleetPlan = {
  scenarios: readonly ScenarioName[];
  timeScale: number;
  expectations: readonly LiveFaultExpectation[];
};

/**
 * Fault scenarios that show within seconds: the storm starts at the first connect (retries every 200 ms whatever
 * the scale) and the valve's backoff caps at 3 s at this scale. Minimums are what the analyzers need with margin.
 * Not the hung tracker: its keepalive timeouts fall in the storm's minutes, which the fleet-wide analyzer
 * (counting drops, not devices) then attributes to the fleet.
 */
export const LIVE_FLEET_PLAN: LiveFleetPlan = {
  scenarios: ["reconnect-storm", "bad-credentials"],
  timeScale: 5,
  expectations: [
    { deviceId: "plug-tightloop-01", kind: "disconnected", reason: "connection_lost", min: 12 },
    { deviceId: "valve-badauth-01", kind: "connect_failed", reason: "auth_failed", min: 4 },
  ],
};

export type LiveFleetRun = {
  durationMs: number;
  /** Matching events stored per device when the run ended. */
  counts: Record<string, number>;
};

const POLL_MS = 250;

/**
 * Runs the real pipeline against `db` until every expectation is met: the embedded broker (with the simulator's
 * credentials), the EMQX-format ingest worker and the fleet simulator restricted to `plan.scenarios`. Everything
 * is stopped before it returns; the worker last, so lifecycle events of the final disconnects are stored too.
 */
export async function runLiveFleet(options: { db: Db; log: Logger; plan?: LiveFleetPlan; timeoutMs?: number }): Promise<LiveFleetRun> {
  const { db, log } = options;
  const plan = options.plan ?? LIVE_FLEET_PLAN;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  const broker = await startEmbeddedBroker({
    authenticate: createSimulatorAuthenticator(),
    publishRateLimit: DEMO_PUBLISH_RATE_LIMIT,
    log,
  });
  const stops: (() => Promise<void>)[] = [() => broker.stop()];
  try {
    const worker = await startIngestWorker({
      db,
      log,
      mqttUrl: broker.url,
      adapter: getMqttSourceAdapter("emqx"),
      clientId: `linkscope-live-fleet-${process.pid}`,
    });
    stops.unshift(() => worker.stop());
    const simulator = await startFleetSimulator({
      mqttUrl: broker.url,
      scenarios: plan.scenarios,
      devices: plan.expectations.length,
      timeScale: plan.timeScale,
      log,
    });
    stops.unshift(() => simulator.stop());

    const deadline = started + timeoutMs;
    let counts = await countMatchingEvents(db, plan.expectations);
    while (!allMet(plan.expectations, counts)) {
      if (Date.now() > deadline) {
        throw new Error(
          `live fleet: not every fault showed within ${timeoutMs / 1000} s: ${JSON.stringify(counts)} (wanted ${JSON.stringify(plan.expectations)})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      counts = await countMatchingEvents(db, plan.expectations);
    }
    return { durationMs: Date.now() - started, counts };
  } finally {
    // Simulator first (its clients' disconnects become lifecycle events), then the worker flushes, then the broker.
    for (const stop of stops) await stop();
  }
}

function allMet(expectations: readonly LiveFaultExpectation[], counts: Record<string, number>): boolean {
  return expectations.every((expectation) => (counts[expectation.deviceId] ?? 0) >= expectation.min);
}

async function countMatchingEvents(db: Db, expectations: readonly LiveFaultExpectation[]): Promise<Record<string, number>> {
  const entries = await Promise.all(
    expectations.map(async ({ deviceId, kind, reason }) => {
      const count = await db.connectionEvent.count({ where: { deviceId, kind, ...(reason ? { reason } : {}) } });
      return [deviceId, count] as const;
    }),
  );
  return Object.fromEntries(entries);
}
