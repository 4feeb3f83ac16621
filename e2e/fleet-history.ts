import type { Db } from "@/lib/db/client.ts";
import type { DetectionThresholds } from "@/lib/incidents/detect-incidents.ts";
import { FLEET_DEVICES, type FleetDevice } from "@/demo/simulator/fleet-profiles.ts";
import { backfillFleetHistory } from "@/demo/simulator/history-backfill.ts";

export const PERIODIC_DEVICE_ID = "meter-periodic-01";
export const DUPLICATE_ID_DEVICE_ID = "cam-dup-id-01";
export const HEALTHY_PROBE_ID = "probe-healthy-01";
export const DUPLICATE_ID_ADDRESSES = ["10.0.0.4", "10.0.0.9"] as const;

const HOUR = 3_600_000;

/** The history's broker restart cuts every connected history device (about a dozen) within seconds. */
export const INCIDENT_DETECTION_THRESHOLDS: DetectionThresholds = {
  minDevices: 10,
  minFleetFraction: 0,
  windowMs: 2 * 60_000,
  quietMs: 5 * 60_000,
};

/**
 * Simulated fleet history for the diagnosis tests: two fault devices plus a dozen healthy ones (renamed so the
 * seeded "sensor" devices other specs count stay as they are). The window ends 25 h ago so the last-24-hours
 * fleet views the other specs assert on are untouched; the diagnosis looks back 14 days.
 */
export function selectHistoryDevices(): FleetDevice[] {
  const faults = FLEET_DEVICES.filter((device) => device.id === PERIODIC_DEVICE_ID || device.id === DUPLICATE_ID_DEVICE_ID);
  const healthy = FLEET_DEVICES.filter((device) => device.kind === "healthy" && device.id.startsWith("sensor-"))
    .slice(0, 12)
    .map((device, index) => ({ ...device, id: `probe-healthy-${String(index + 1).padStart(2, "0")}` }));
  return [...faults, ...healthy];
}

export async function seedFleetHistory(db: Db, now: number): Promise<void> {
  const to = new Date(now - 25 * HOUR);
  const from = new Date(to.getTime() - 3 * 24 * HOUR);
  const result = await backfillFleetHistory(db, { devices: selectHistoryDevices(), from, to });
  if (result.deadLetters > 0 || result.inserted === 0)
    throw new Error(`fleet history: ${result.inserted} events stored, ${result.deadLetters} rejected`);
}
