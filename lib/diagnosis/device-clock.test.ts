import { describe, expect, it } from "vitest";
import { makeDiagnosisEvent } from "@/lib/testing/factories.ts";
import { estimateDeviceClockOffset } from "./device-clock.ts";

describe("estimateDeviceClockOffset", () => {
  const start = Date.UTC(2026, 10, 1);
  const connectsEvery = (count: number, stepMs: number) =>
    Array.from({ length: count }, (_, i) =>
      makeDiagnosisEvent({ id: `b${i}`, kind: "connected", occurredAt: new Date(start + i * stepMs) }),
    );
  const reportsAt = (times: readonly number[], offsetMs: number) =>
    times.map((at, i) =>
      makeDiagnosisEvent({
        id: `r${i}`,
        kind: "connected",
        occurredAt: new Date(at + offsetMs),
        side: "device",
        source: "linkscope-agent",
      }),
    );

  it("finds a device clock five minutes ahead from three reports", () => {
    const broker = connectsEvery(50, 3_600_000);
    const reports = reportsAt([start + 10 * 3_600_000, start + 20 * 3_600_000, start + 30 * 3_600_000], 5 * 60_000);
    expect(estimateDeviceClockOffset(broker, reports)).toBe(5 * 60_000);
  });

  // Each broker event copied its role's whole list so far: quadratic in the broker's events, about half a second of
  // every storming device's diagnosis at 20,000 events and minutes at 200,000. Read in one pass, milliseconds.
  it("reads a storming device's broker events in one pass", { timeout: 30_000 }, () => {
    const broker = connectsEvery(200_000, 4_000);
    const reports = reportsAt([start + 400_000, start + 800_000, start + 1_200_000], 0);
    expect(estimateDeviceClockOffset(broker, reports)).toBe(0);
  });
});
