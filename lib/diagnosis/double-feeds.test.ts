import { describe, expect, it } from "vitest";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { renderTimeline } from "./corpus/formats.ts";
import { renderCloudWatch, renderEventGrid } from "./corpus/second-feeds.ts";
import { createRandom } from "./corpus/random.ts";
import { DAY, HOUR, MINUTE, SECOND, Timeline } from "./corpus/timeline.ts";
import { diagnoseDevice } from "./diagnose-device.ts";
import { toDiagnosisEvents } from "./from-connection-event.ts";
import type { DeviceDiagnosis } from "./types.ts";

/**
 * One platform fed to Linkscope twice (decision 075): AWS IoT's lifecycle topic and its CloudWatch AWSIotLogsV2 log,
 * IoT Hub's Connections log and its Event Grid connection events. Each timeline is rendered through the real adapters
 * of both feeds, and the diagnosis of both together must be the diagnosis of one.
 */

const WINDOW_END = Date.UTC(2026, 10, 22);
const DEVICE = "dev-2f";

function week(keepaliveSec = 60): Timeline {
  return new Timeline(WINDOW_END - 7 * DAY + 5 * MINUTE, { ip: "81.2.3.4", keepaliveSec });
}

const PLATFORMS = [
  { name: "AWS IoT lifecycle topic + CloudWatch log", format: "aws-iot", second: renderCloudWatch },
  { name: "IoT Hub Connections log + Event Grid", format: "azure-iot-hub", second: renderEventGrid },
] as const;

function diagnose(events: readonly ConnectionEvent[]): DeviceDiagnosis {
  return diagnoseDevice({
    deviceId: DEVICE,
    events: toDiagnosisEvents(events),
    sessions: [],
    fleet: { devicesTotal: 200, otherDevicesDropping: new Map() },
    window: { from: new Date(WINDOW_END - 7 * DAY), to: new Date(WINDOW_END) },
  });
}

/** What the device page says: the verdict and the counts. */
function said(diagnosis: DeviceDiagnosis) {
  const { connects, drops, cleanDisconnects, failedConnects } = diagnosis.summary;
  return {
    verdict: diagnosis.verdict && {
      analyzer: diagnosis.verdict.analyzer,
      severity: diagnosis.verdict.severity,
      title: diagnosis.verdict.title,
    },
    alarms: diagnosis.findings
      .filter((finding) => finding.severity === "critical" || finding.severity === "warning")
      .map((f) => f.analyzer),
    counts: { connects, drops, cleanDisconnects, failedConnects },
  };
}

const HISTORIES: ReadonlyArray<{ name: string; build: () => Timeline; expect: (diagnosis: DeviceDiagnosis) => void }> = [
  {
    name: "a healthy device (one clean restart, one network drop in a week)",
    build: () =>
      week()
        .connect()
        .wait(2 * DAY)
        .drop("clean")
        .wait(3 * SECOND)
        .connect()
        .wait(3 * DAY)
        .drop("network")
        .wait(5 * SECOND)
        .connect(),
    expect: (diagnosis) => expect(said(diagnosis).alarms).toEqual([]),
  },
  {
    name: "a device a NAT drops every quiet 6–7 minutes",
    build: () => {
      const timeline = week(1_200).connect();
      for (let i = 0; i < 40; i += 1)
        timeline
          .wait(6 * MINUTE + (i % 4) * 15 * SECOND)
          .drop("network")
          .wait(2 * SECOND)
          .connect();
      return timeline;
    },
    expect: (diagnosis) => expect(said(diagnosis).counts.drops).toBe(40),
  },
  {
    name: "credentials refused since a drop, retried with backoff",
    build: () => {
      const timeline = week()
        .connect()
        .wait(3 * DAY)
        .drop("network");
      for (let i = 0; i < 10; i += 1) timeline.wait(Math.min(2 ** i, 60) * SECOND).refuse("bad-credentials");
      return timeline;
    },
    expect: (diagnosis) => {
      expect(diagnosis.verdict?.analyzer).toBe("auth-failures");
      expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("reconnect-storm");
      expect(diagnosis.summary.failedConnects).toBe(10);
    },
  },
  {
    name: "credentials refused now and then, each time retried with backoff until accepted",
    build: () => {
      const timeline = week().connect();
      for (const hours of [9, 20, 14, 30, 11]) {
        timeline
          .wait(hours * HOUR)
          .drop("network")
          .wait(SECOND);
        for (let i = 0; i < 4; i += 1) timeline.wait(2 ** i * 2 * SECOND).refuse("bad-credentials");
        timeline.wait(20 * SECOND).connect();
      }
      return timeline;
    },
    expect: (diagnosis) => {
      expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("reconnect-storm");
      expect(diagnosis.summary.failedConnects).toBe(20);
    },
  },
  {
    name: "a real storm of sub-second reconnects, twice",
    build: () => {
      const timeline = week().connect();
      for (let burst = 0; burst < 2; burst += 1) {
        timeline.wait(2 * DAY);
        for (let i = 0; i < 12; i += 1) timeline.wait(300).connect().wait(50).drop("network");
        timeline.wait(300).connect();
      }
      return timeline;
    },
    expect: (diagnosis) => {
      expect(diagnosis.verdict).toMatchObject({ analyzer: "reconnect-storm", severity: "critical" });
      expect(diagnosis.summary.drops).toBe(24);
    },
  },
  {
    name: "two devices sharing one client ID, taking the connection from each other",
    build: () => {
      const a = "81.2.3.4";
      const b = "95.17.60.2";
      const timeline = week().connect({ ip: a });
      let holder = a;
      for (let i = 0; i < 14; i += 1) {
        const challenger = holder === a ? b : a;
        timeline
          .wait(20 * MINUTE + i * 37 * SECOND)
          .drop("takeover", holder)
          .wait(20)
          .connect({ ip: challenger });
        holder = challenger;
      }
      return timeline;
    },
    expect: (diagnosis) => {
      expect(diagnosis.verdict).toMatchObject({ analyzer: "client-id-takeover", severity: "critical" });
      expect(diagnosis.summary.drops).toBe(14);
    },
  },
];

describe("one platform fed through two feeds at once", () => {
  for (const platform of PLATFORMS) {
    for (const history of HISTORIES) {
      it(`reads ${history.name} as one feed does (${platform.name})`, () => {
        const steps = history.build().steps;
        const first = renderTimeline(platform.format, DEVICE, steps, createRandom(7).fork(platform.format));
        const single = diagnose(first);
        history.expect(single);
        const double = diagnose([...first, ...platform.second(DEVICE, steps)]);
        expect(said(double)).toEqual(said(single));
        history.expect(double);
      });
    }
  }
});
