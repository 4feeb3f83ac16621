import { describe, expect, it } from "vitest";
import { makeDiagnosisEvent } from "@/lib/testing/factories.ts";
import { estimateDeviceClockOffset, estimateDeviceClockSegments, offsetAt } from "./device-clock.ts";

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

describe("estimateDeviceClockOffset on refusals faster than the pairing window", () => {
  // At a 60 s backoff cap every report has some broker refusal within 30 s at any offset: the loose majority said 0, and
  // the agent's copies of the refusals, 94 s early, read as a second device refused before the broker's drop.
  it("finds a 94 s skew from refusals 50–70 s apart", () => {
    const start = Date.UTC(2026, 10, 1);
    let at = start;
    const times = Array.from({ length: 60 }, (_, i) => (at += 50_000 + ((i * 7_919) % 20_000)));
    const refused = (offsetMs: number, side: "broker" | "device") =>
      times.map((time, i) =>
        makeDiagnosisEvent({
          id: `${side}${i}`,
          kind: "connect_failed",
          reason: "auth_failed",
          occurredAt: new Date(time + offsetMs),
          ...(side === "device" ? { side, source: "linkscope-agent" } : {}),
        }),
      );
    expect(estimateDeviceClockOffset(refused(0, "broker"), refused(-94_000, "device"))).toBe(-94_000);
  });
});

describe("estimateDeviceClockSegments", () => {
  const start = Date.UTC(2026, 2, 20);
  const HOUR = 3_600_000;
  // Irregular, as connects are: evenly spaced ones would line up at many offsets.
  const broker = Array.from({ length: 40 }, (_, i) =>
    makeDiagnosisEvent({
      id: `b${i}`,
      kind: "connected",
      occurredAt: new Date(start + i * 97 * 60_000 + ((i * i * 7_919_000) % 1_800_000)),
    }),
  );
  /** The agent's connect reports in local time: UTC+1, then UTC+2 from the daylight-saving change on. */
  const localReports = (changeIndex: number) =>
    broker.map((event, i) =>
      makeDiagnosisEvent({
        id: `r${i}`,
        kind: "connected",
        occurredAt: new Date(event.occurredAt.getTime() + (i < changeIndex ? HOUR : 2 * HOUR)),
        side: "device",
        source: "linkscope-agent",
      }),
    );

  // One offset lined up only the reports on one side of the change; the others were extra connects an hour off.
  it.each([8, 20, 32])("reads a daylight-saving change after report %i as two offsets", (changeIndex) => {
    const reports = localReports(changeIndex);
    const segments = estimateDeviceClockSegments(broker, reports);
    const onBrokerClock = reports.map((report) => report.occurredAt.getTime() - offsetAt(segments, report.occurredAt.getTime()));
    expect(onBrokerClock).toEqual(broker.map((event) => event.occurredAt.getTime()));
  });

  it("keeps one offset for a clock that never changed, and for reports that line up at none", () => {
    expect(estimateDeviceClockSegments(broker, localReports(0))).toEqual([{ from: -Infinity, offsetMs: 2 * HOUR }]);
    const scattered = broker.map((event, i) =>
      makeDiagnosisEvent({
        id: `s${i}`,
        kind: "connected",
        occurredAt: new Date(event.occurredAt.getTime() + 41 * 60_000 + i * 7_919_000),
      }),
    );
    expect(estimateDeviceClockSegments(broker, scattered)).toHaveLength(1);
  });
});
