import type { Db } from "@/lib/db/client.ts";
import { EVENT_DEFAULTS } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { buildJournalFixtureBrokerEvents, JOURNAL_FIXTURE_DROPS } from "@/lib/testing/evidence-fixtures.ts";

/** Devices whose device-side evidence e2e/device-evidence.spec.ts uploads (one each, so the tests stay independent). */
export const COLLECTOR_EVIDENCE_DEVICE_ID = "nwp500 heater/7";
export const HOME_ASSISTANT_EVIDENCE_DEVICE_ID = "navien basement#2";
export const JOURNAL_EVIDENCE_DEVICE_ID = "cooler-gw-3";

const HOUR = 3_600_000;

/** The three devices as the broker knew them before any upload; the journal device's drops match its journal fixture. */
export async function seedDeviceEvidenceDevices(db: Db, now: number): Promise<void> {
  const connected = (deviceId: string) => ({
    ...EVENT_DEFAULTS,
    deviceId,
    kind: "connected" as const,
    occurredAt: new Date(now - 26 * HOUR),
    reason: "connected" as const,
    initiator: "client" as const,
    source: "aws-iot",
    dedupeKey: computeDedupeKey("aws-iot", [deviceId, "e2e-evidence-connect"]),
    raw: {},
  });
  const shift = now - 2 * HOUR - Date.parse(JOURNAL_FIXTURE_DROPS.at(-1) ?? "");
  await recordConnectionEvents(db, [
    connected(COLLECTOR_EVIDENCE_DEVICE_ID),
    connected(HOME_ASSISTANT_EVIDENCE_DEVICE_ID),
    ...buildJournalFixtureBrokerEvents(JOURNAL_EVIDENCE_DEVICE_ID, shift),
  ]);
}
