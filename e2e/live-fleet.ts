import type { Db } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { LIVE_FLEET_PLAN, runLiveFleet } from "@/demo/simulator/run-live-fleet.ts";

export const LIVE_STORM_DEVICE_ID = "plug-tightloop-01";
export const LIVE_BAD_AUTH_DEVICE_ID = "valve-badauth-01";

/**
 * The live simulator's fault devices, through the real embedded broker and ingest worker into the e2e database,
 * until each has shown its fault (about 5 s; at most 60 s). Specs then assert on their device pages.
 */
export async function runLiveFleetForE2e(db: Db): Promise<void> {
  const planned = LIVE_FLEET_PLAN.expectations.map((expectation) => expectation.deviceId);
  if (!planned.includes(LIVE_STORM_DEVICE_ID) || !planned.includes(LIVE_BAD_AUTH_DEVICE_ID)) {
    throw new Error(
      `e2e: the live fleet plan no longer runs ${LIVE_STORM_DEVICE_ID} and ${LIVE_BAD_AUTH_DEVICE_ID}: ${planned.join(", ")}`,
    );
  }
  const log = createLogger("e2e-live-fleet");
  log.level = "warn";
  const run = await runLiveFleet({ db, log, timeoutMs: 60_000 });
  console.log(`e2e: live fleet showed its faults in ${(run.durationMs / 1000).toFixed(1)} s (${JSON.stringify(run.counts)})`);
}
