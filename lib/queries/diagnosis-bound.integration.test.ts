import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "@/lib/diagnosis/diagnose-device.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { getDeviceDiagnosis } from "./get-device-diagnosis.ts";
import { loadDiagnosisInput } from "./load-diagnosis-input.ts";

const database = useTestDatabase();
const to = new Date("2026-11-22T12:00:00Z");
const from = new Date(to.getTime() - 14 * 86_400_000);

/** A drop, a refused connect and a reconnect every 40 s, `count` events ending a minute before `to`. */
async function recordStorm(deviceId: string, count: number): Promise<Date[]> {
  const times = Array.from({ length: count }, (_, index) => new Date(to.getTime() - 60_000 - (count - index) * 13_000));
  await recordConnectionEvents(
    database.db,
    times.map((occurredAt, index) => {
      const kind = (["disconnected", "connect_failed", "connected"] as const)[index % 3] ?? "connected";
      return makeConnectionEvent({ deviceId, kind, occurredAt, ...(kind === "connect_failed" ? { reason: "not_authorized" } : {}) });
    }),
  );
  return times;
}

describe("the diagnosis's bound on the events it reads", () => {
  it("keeps a storming device's newest events and says from when it analysed them", async () => {
    const times = await recordStorm("bounded-storm", 45);
    const input = await loadDiagnosisInput(database.db, { deviceId: "bounded-storm", from, to, maxEvents: 30 });
    expect(input.truncated).toBe(true);
    expect(input.events.map((event) => event.occurredAt)).toEqual(times.slice(-30));
    expect(diagnoseDevice(input).analysedFrom).toBe(times[15]?.toISOString());
  });

  it("leaves a device under the bound whole, without a span of its own", async () => {
    await recordStorm("unbounded-storm", 45);
    const input = await loadDiagnosisInput(database.db, { deviceId: "unbounded-storm", from, to, maxEvents: 45 });
    expect(input.truncated).toBe(false);
    expect(input.events).toHaveLength(45);
    const diagnosis = await getDeviceDiagnosis(database.db, { deviceId: "unbounded-storm", now: to });
    expect(diagnosis.truncated).toBe(false);
    expect(diagnosis).not.toHaveProperty("analysedFrom");
  });
});
