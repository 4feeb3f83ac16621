import { describe, expect, it } from "vitest";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseAwsCloudWatchEntry } from "@/lib/sources/aws-iot.ts";
import { parseAzureRecord, parseEventGridEvent } from "@/lib/sources/azure.ts";
import { canExpress, FORMAT_CAPABILITIES, FORMATS, renderTimeline, type FormatId } from "./corpus/formats.ts";
import { createRandom } from "./corpus/random.ts";
import { DAY, HOUR, MINUTE, SECOND, Timeline } from "./corpus/timeline.ts";
import { diagnoseDevice } from "./diagnose-device.ts";
import { toDiagnosisEvents } from "./from-connection-event.ts";
import type { DeviceDiagnosis, DiagnosisEvent } from "./types.ts";

const WINDOW_END = Date.UTC(2026, 10, 22);

/** A week's timeline for one device, starting `daysBefore` days before the window's end. */
function week(keepaliveSec = 60, daysBefore = 7): Timeline {
  return new Timeline(WINDOW_END - daysBefore * DAY + 5 * 60_000, { ip: "81.2.3.4", keepaliveSec });
}

/** The timeline as `format` records it, through that vendor's real adapter (plus `also`, another source's records of
 * the same device), diagnosed over the last seven days. */
function diagnoseAs(format: FormatId, timeline: Timeline, also: readonly ConnectionEvent[] = []): DeviceDiagnosis {
  const rendered = renderTimeline(format, "dev-7", timeline.steps, createRandom(11).fork(format));
  const events = toDiagnosisEvents([...rendered, ...also]);
  return diagnoseDevice({
    deviceId: "dev-7",
    events,
    sessions: [],
    fleet: { devicesTotal: 200, otherDevicesDropping: new Map() },
    window: { from: new Date(WINDOW_END - 7 * DAY), to: new Date(WINDOW_END) },
  });
}

function adapted(result: AdapterResult): ConnectionEvent[] {
  if (!result.ok) throw new Error(result.error);
  return result.events;
}

/** Every format that can say all of the timeline's steps. */
const formatsFor = (timeline: Timeline) => FORMATS.filter((format) => canExpress(format, timeline.steps));

const alarms = (diagnosis: DeviceDiagnosis) =>
  diagnosis.findings
    .filter((finding) => finding.severity === "critical" || finding.severity === "warning")
    .map((finding) => finding.analyzer);

describe("one throttle or quota cut in a week", () => {
  for (const cause of ["rate", "quota"] as const) {
    const timeline = week()
      .connect()
      .wait(3 * DAY)
      .drop(cause)
      .wait(5 * SECOND)
      .connect();
    for (const format of formatsFor(timeline)) {
      it(`is said, not alarmed (${cause}, ${format})`, () => {
        const diagnosis = diagnoseAs(format, timeline);
        // It was a rate-limiting warning at 0.75, where every other analyzer needs two or three events.
        expect(alarms(diagnosis)).toEqual([]);
        expect(diagnosis.verdict?.analyzer).toBe("rate-limiting");
        expect(diagnosis.verdict?.severity).toBe("info");
        expect(diagnosis.verdict?.verdict).toContain("once");
      });
    }
  }

  it("is still a warning when it happens twice", () => {
    const timeline = week()
      .connect()
      .wait(2 * DAY)
      .drop("rate")
      .wait(5 * SECOND)
      .connect()
      .wait(30 * HOUR)
      .drop("rate")
      .wait(5 * SECOND)
      .connect();
    const diagnosis = diagnoseAs("aws-iot", timeline);
    expect(diagnosis.verdict?.analyzer).toBe("rate-limiting");
    expect(diagnosis.verdict?.severity).toBe("warning");
  });
});

describe("Azure IoT Hub's Connections log", () => {
  it("counts a renewal logged as a refused stale token and a closed connection once", () => {
    const timeline = week().connect();
    // The refused 401003 comes first, then the hub's 401003 and 404104 disconnects, then the connect with the new token.
    for (let i = 0; i < 8; i += 1)
      timeline
        .wait(65 * MINUTE)
        .refuse("token-expired")
        .wait(2_500)
        .drop("token-expired")
        .wait(3 * SECOND)
        .connect();
    const diagnosis = diagnoseAs("azure-iot-hub", timeline);
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["token-renewal"]);
    // It counted 16 renewals and said "Drops every 0 ± 0 ms".
    expect(diagnosis.verdict?.evidence.stats.renewals).toBe(8);
    expect(diagnosis.verdict?.verdict).toContain("every 65 ± 0 min");
    expect(diagnosis.summary).toMatchObject({ drops: 8, failedConnects: 0 });
  });

  it("fails the renew-before-expiry step of sessions the hub ended with 401003 and no quick reconnect", () => {
    const timeline = week().connect();
    for (const hours of [3, 7, 2, 11, 5, 9])
      timeline
        .wait(hours * HOUR)
        .drop("token-expired")
        .wait(4 * MINUTE)
        .connect();
    const diagnosis = diagnoseAs("azure-iot-hub", timeline);
    expect(diagnosis.verdict?.analyzer).toBe("credential-drops");
    const step = diagnosis.verdict?.steps.find((item) => item.check === "renews-before-expiry");
    // It passed ("No connection was cut for expired credentials") beside a finding of six such cuts.
    expect(step?.status).toBe("failed");
  });
});

describe("a device-side history, which lists drops and refusals but no connects", () => {
  /** Network drops, each followed by refused attempts and then a connect the device reports no event for. */
  function refusedAfterDrops(): Timeline {
    const timeline = week().connect();
    for (const hours of [3, 7, 2, 11, 5, 9])
      timeline
        .wait(hours * HOUR)
        .drop("network")
        .wait(2 * SECOND)
        .refuse("token-expired")
        .wait(4 * SECOND)
        .refuse("bad-credentials")
        .wait(8 * SECOND)
        .connect();
    return timeline;
  }

  it("does not call refused credentials never accepted when the device dropped again later", () => {
    const diagnosis = diagnoseAs(
      "device-report",
      refusedAfterDrops()
        .wait(4 * HOUR)
        .drop("network"),
    );
    expect(diagnosis.summary.connects).toBe(0);
    // It said "All 12 connect attempts … were refused … and none succeeded" (critical, 0.95).
    expect(diagnosis.verdict?.analyzer).toBe("auth-failures");
    expect(diagnosis.verdict?.severity).toBe("warning");
    expect(diagnosis.verdict?.title).toBe("Intermittent authentication failures");
    expect(diagnosis.verdict?.steps.find((step) => step.check === "credentials-accepted")?.status).toBe("passed");
  });

  it("leaves open whether the last refusals were followed by a connect it cannot see", () => {
    const diagnosis = diagnoseAs("device-report", refusedAfterDrops());
    expect(diagnosis.verdict?.title).toBe("Intermittent authentication failures");
    expect(diagnosis.verdict?.steps.find((step) => step.check === "credentials-accepted")?.status).toBe("unknown");
  });

  it("still calls them never accepted when no drop follows the refusals", () => {
    const timeline = week().connect().wait(DAY).drop("network");
    for (let i = 0; i < 8; i += 1) timeline.wait(2 ** i * 10 * SECOND).refuse("bad-credentials");
    const diagnosis = diagnoseAs("device-report", timeline);
    expect(diagnosis.verdict?.title).toBe("Every connect refused since it was last accepted (authentication)");
    expect(diagnosis.verdict?.severity).toBe("critical");
    expect(diagnosis.verdict?.steps.find((step) => step.check === "credentials-accepted")?.status).toBe("failed");
  });
});

describe("credentials or a certificate that stop working: accepted for days, refused ever since", () => {
  function lockedOut(refusal: (timeline: Timeline) => Timeline): Timeline {
    const timeline = week()
      .connect()
      .wait(3 * DAY)
      .drop("network");
    for (let i = 0; i < 8; i += 1) refusal(timeline.wait(Math.min(2 ** i * 5, 300) * SECOND));
    return timeline;
  }

  for (const format of ["agent-mqtt5", "emqx", "aws-iot", "device-report"] as const) {
    it(`names what changes for credentials that worked, not "wrong or not registered" (${format})`, () => {
      const diagnosis = diagnoseAs(
        format,
        lockedOut((timeline) => timeline.refuse("bad-credentials")),
      );
      expect(diagnosis.verdict).toMatchObject({ analyzer: "auth-failures", severity: "critical" });
      // It said "the device's credentials are wrong, expired or not registered" of credentials accepted for three days.
      expect(diagnosis.verdict?.verdict).toContain("was accepted until 2026-11-18 00:05:00 UTC");
      expect(diagnosis.verdict?.verdict).not.toContain("not registered");
    });
  }

  for (const format of ["mosquitto-2.0", "mosquitto-2.1"] as const) {
    it(`calls TLS failures that every attempt since has met critical (${format})`, () => {
      const diagnosis = diagnoseAs(
        format,
        lockedOut((timeline) => timeline.drop("tls")),
      );
      // It was a warning that said "others succeeded": the only success came before the first failure.
      expect(diagnosis.verdict).toMatchObject({ analyzer: "tls-failures", severity: "critical" });
      expect(diagnosis.verdict?.verdict).toContain("none succeeded");
    });
  }

  it("keeps TLS failures between successful connects a warning", () => {
    const timeline = week().connect();
    for (const hours of [20, 31, 26])
      timeline
        .wait(hours * HOUR)
        .drop("tls")
        .wait(5 * SECOND)
        .drop("tls")
        .wait(30 * SECOND)
        .connect();
    const diagnosis = diagnoseAs("mosquitto-2.1", timeline);
    expect(diagnosis.verdict).toMatchObject({ analyzer: "tls-failures", severity: "warning" });
  });
});

describe("a keepalive longer than NATs keep idle flows, on a device that is not dropping", () => {
  const quiet = week(3600)
    .connect()
    .wait(3 * DAY)
    .drop("clean")
    .wait(30 * SECOND)
    .connect();
  const oneBlip = week(1200)
    .connect()
    .wait(3 * DAY)
    .drop("network")
    .wait(30 * SECOND)
    .connect();
  for (const format of ["emqx", "mosquitto-2.0", "mosquitto-2.1"] as const) {
    it(`is advice, not a warning, with no drop or a single one (${format})`, () => {
      for (const timeline of [quiet, oneBlip]) {
        const diagnosis = diagnoseAs(format, timeline);
        // Both were keepalive-too-long warnings (0.55 with no drop, 0.75 with one).
        expect(alarms(diagnosis)).toEqual([]);
        expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
        expect(diagnosis.verdict?.severity).toBe("info");
        expect(diagnosis.verdict?.steps.find((step) => step.check === "keepalive-within-nat-timeout")?.status).toBe("failed");
      }
    });
  }

  it("is a warning once the device drops on its own more than once", () => {
    const timeline = week(1200).connect();
    for (const hours of [9, 20, 14])
      timeline
        .wait(hours * HOUR)
        .drop("network")
        .wait(5 * SECOND)
        .connect();
    const diagnosis = diagnoseAs("emqx", timeline);
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
    expect(diagnosis.verdict?.severity).toBe("warning");
  });
});

describe("a device-side history of drops at a steady pace", () => {
  it("finds the period in the time between drops, instead of calling a timer random", () => {
    const timeline = week().connect();
    for (let i = 0; i < 100; i += 1)
      timeline
        .wait(20 * MINUTE + (i % 5) * SECOND)
        .drop("idle")
        .wait(2 * SECOND)
        .connect();
    const diagnosis = diagnoseAs("device-report", timeline);
    expect(diagnosis.summary.connects).toBe(0);
    // It said "100 drops at irregular intervals … the network path rather than a server timer" at 0.9.
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("irregular-drops");
    expect(diagnosis.verdict?.analyzer).toBe("periodic-drops");
    expect(diagnosis.verdict?.verdict).toMatch(/^Drops every 20 ± \d+(\.\d)? min/);
  });
});

describe("one event logged by two sources", () => {
  it("counts a throttle in AWS's lifecycle event and its CloudWatch log once", () => {
    const timeline = week()
      .connect()
      .wait(3 * DAY)
      .drop("rate")
      .wait(5 * SECOND)
      .connect();
    const dropAt = timeline.steps.find((step) => step.type === "drop")?.at ?? 0;
    const logged = adapted(
      parseAwsCloudWatchEntry({
        timestamp: new Date(dropAt).toISOString().replace("T", " ").replace("Z", ""),
        logLevel: "ERROR",
        traceId: "7f1a2b3c-0000-4000-8000-000000000001",
        accountId: "123456789012",
        status: "Failure",
        eventType: "Disconnect",
        protocol: "MQTT",
        clientId: "dev-7",
        sourceIp: "81.2.3.4",
        sourcePort: 40112,
        disconnectReason: "THROTTLED",
      }),
    );
    const diagnosis = diagnoseAs("aws-iot", timeline, logged);
    expect(diagnosis.summary.drops).toBe(1);
    // Two records of one throttle made the "twice" warning.
    expect(diagnosis.verdict?.analyzer).toBe("rate-limiting");
    expect(diagnosis.verdict?.severity).toBe("info");
  });

  it("keeps Azure's renewals expected when Event Grid's disconnect is stored before the Connections log's 401003", () => {
    const timeline = week().connect();
    for (let i = 0; i < 10; i += 1)
      timeline
        .wait(65 * MINUTE)
        .drop("token-expired")
        .wait(4 * SECOND)
        .connect();
    let sequence = 0;
    const gridEvent = (type: "DeviceConnected" | "DeviceDisconnected", at: number) =>
      adapted(
        parseEventGridEvent({
          id: `eg-${sequence}`,
          topic: "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/FLEET/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-1",
          subject: "devices/dev-7",
          eventType: `Microsoft.Devices.${type}`,
          eventTime: new Date(at).toISOString(),
          data: {
            deviceConnectionStateEventInfo: {
              sequenceNumber: `000000000000000001D4132452F67CE2${String((sequence += 1)).padStart(32, "0")}`,
            },
            hubName: "HUB-1",
            deviceId: "dev-7",
          },
          dataVersion: "1",
          metadataVersion: "1",
        }),
      );
    // Event Grid's eventTime is the moment itself; the log's 401003 record comes up to 2 s before its 404104.
    const grid = timeline.steps.flatMap((step) =>
      step.type === "connect"
        ? gridEvent("DeviceConnected", step.at + 200)
        : step.type === "drop"
          ? gridEvent("DeviceDisconnected", step.at - 2_500)
          : [],
    );
    const diagnosis = diagnoseAs("azure-iot-hub", timeline, grid);
    expect(diagnosis.summary.drops).toBe(10);
    // A periodic-drops warning at 0.9 ("a timer on the device or the server") sat beside the renewal.
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["token-renewal"]);
  });
});

describe("a refused client ID or a failed TLS handshake beside connections that succeed", () => {
  const oneRejection = week()
    .connect()
    .wait(3 * DAY)
    .drop("network")
    .wait(2 * SECOND)
    .refuse("client-id")
    .wait(5 * SECOND)
    .connect();
  for (const format of formatsFor(oneRejection)) {
    it(`does not blame the client ID's format the server accepts at other times (${format})`, () => {
      const diagnosis = diagnoseAs(format, oneRejection);
      // It was "Client ID rejected … its format, length or characters are not accepted", critical at 0.82.
      expect(alarms(diagnosis)).toEqual([]);
      expect(diagnosis.verdict?.analyzer).toBe("client-id-rejected");
      expect(diagnosis.verdict?.verdict).toContain("its format is not the cause");
      const formatStep = diagnosis.verdict?.steps.find((step) => step.check === "client-id-accepted");
      if (diagnosis.summary.connects > 0) expect(formatStep?.status).toBe("passed");
    });
  }

  it("warns when the rejections recur, and stays critical when the ID is never accepted", () => {
    const recurring = week().connect();
    for (const hours of [20, 31, 26])
      recurring
        .wait(hours * HOUR)
        .drop("network")
        .wait(2 * SECOND)
        .refuse("client-id")
        .wait(5 * SECOND)
        .connect();
    expect(diagnoseAs("emqx", recurring).verdict).toMatchObject({ analyzer: "client-id-rejected", severity: "warning" });
    const never = week();
    for (let i = 0; i < 6; i += 1) never.wait(2 ** i * 5 * SECOND).refuse("client-id");
    const diagnosis = diagnoseAs("emqx", never);
    expect(diagnosis.verdict).toMatchObject({ analyzer: "client-id-rejected", severity: "critical" });
    expect(diagnosis.verdict?.verdict).toContain("its format, length or characters are not accepted");
  });

  const oneTls = week()
    .connect()
    .wait(3 * DAY)
    .drop("tls")
    .wait(5 * SECOND)
    .connect();
  for (const format of ["mosquitto-2.0", "mosquitto-2.1"] as const) {
    it(`says a single TLS failure, without alarming (${format})`, () => {
      const diagnosis = diagnoseAs(format, oneTls);
      // It was a "TLS or certificate failures" warning at 0.67.
      expect(alarms(diagnosis)).toEqual([]);
      expect(diagnosis.verdict).toMatchObject({ analyzer: "tls-failures", severity: "info" });
    });
  }
});

describe("Azure renewals whose old-link records the hub logs after the device reconnected", () => {
  // Connections-log records as Azure Monitor exports them: one-second timestamps, stored in the order they arrive.
  type LogRecord = { at: number; operation: "deviceConnect" | "deviceDisconnect"; error?: [string, string] };
  function connectionsLog(records: readonly LogRecord[]) {
    return records.flatMap(({ at, operation, error }) =>
      adapted(
        parseAzureRecord({
          time: new Date(Math.floor(at / SECOND) * SECOND).toISOString().replace(".000Z", "Z"),
          resourceId: "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/FLEET/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-1",
          operationName: operation,
          category: "Connections",
          level: error ? "Error" : "Information",
          ...(error ? { resultType: error[0], resultDescription: error[1] } : {}),
          properties: JSON.stringify({
            deviceId: "dev-7",
            protocol: "Mqtt",
            maskedIpAddress: "81.2.3.XXX",
            statusCode: error?.[0].slice(0, 3) ?? null,
          }),
          location: "westeurope",
        }),
      ),
    );
  }
  const unauthorized: [string, string] = ["401003", "IoTHubUnauthorized"];
  const closedRemotely: [string, string] = ["404104", "DeviceConnectionClosedRemotely"];

  function diagnoseLog(renewal: (at: number) => LogRecord[]) {
    const start = WINDOW_END - 7 * DAY + HOUR;
    const records: LogRecord[] = [{ at: start, operation: "deviceConnect" }];
    for (let i = 1; i <= 10; i += 1) records.push(...renewal(start + i * 65 * MINUTE));
    const events: DiagnosisEvent[] = connectionsLog(records).map((event, index) => ({ ...event, id: String(index + 1) }));
    return diagnoseDevice({
      deviceId: "dev-7",
      events,
      sessions: [],
      fleet: null,
      window: { from: new Date(WINDOW_END - 7 * DAY), to: new Date(WINDOW_END) },
    });
  }

  it("is the renewal when the 404104 comes in the reconnect's second, after it", () => {
    const diagnosis = diagnoseLog((at) => [
      { at, operation: "deviceDisconnect", error: unauthorized },
      { at: at + 1_200, operation: "deviceConnect" },
      { at: at + 1_500, operation: "deviceDisconnect", error: closedRemotely },
    ]);
    // Each 404104 was a connection of its own ending at once: "10 connections ended 0 ms after connecting", critical 0.9.
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["token-renewal"]);
    expect(diagnosis.summary.drops).toBe(10);
    expect(diagnosis.verdict?.verdict).toContain("with 401003 and 404104");
  });

  it("is the renewal when the 401003 is the record that comes after the reconnect", () => {
    const diagnosis = diagnoseLog((at) => [
      { at, operation: "deviceDisconnect", error: closedRemotely },
      { at: at + 1_200, operation: "deviceConnect" },
      { at: at + 1_500, operation: "deviceDisconnect", error: unauthorized },
    ]);
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["token-renewal"]);
    expect(diagnosis.summary.drops).toBe(10);
  });

  it("is the renewal when the refused 401003 shares the 404104's second but is stored after it", () => {
    for (const withUnauthorizedDisconnect of [false, true]) {
      const diagnosis = diagnoseLog((at) => [
        ...(withUnauthorizedDisconnect ? [{ at: at - 1_500, operation: "deviceDisconnect" as const, error: unauthorized }] : []),
        { at: at + 100, operation: "deviceDisconnect", error: closedRemotely },
        { at: at + 600, operation: "deviceConnect", error: unauthorized },
        { at: at + 3 * SECOND, operation: "deviceConnect" },
      ]);
      // Read as 404104 → refused 401003: ten refusals made an auth-failures warning beside a periodic-drops warning.
      expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["token-renewal"]);
      expect(diagnosis.summary).toMatchObject({ drops: 10, failedConnects: 0 });
    }
  });

  it("stays an auth finding when the refused 401003 comes seconds after the 404104", () => {
    const diagnosis = diagnoseLog((at) => [
      { at: at + 100, operation: "deviceDisconnect", error: closedRemotely },
      { at: at + 3 * SECOND, operation: "deviceConnect", error: unauthorized },
      { at: at + 6 * SECOND, operation: "deviceConnect" },
    ]);
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("token-renewal");
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toContain("auth-failures");
  });

  it("still finds connections that end seconds after connecting, with no 401003 in sight", () => {
    const diagnosis = diagnoseLog((at) => [
      { at, operation: "deviceDisconnect", error: closedRemotely },
      { at: at + 5 * SECOND, operation: "deviceConnect" },
      { at: at + 6 * SECOND, operation: "deviceDisconnect", error: closedRemotely },
      { at: at + 30 * SECOND, operation: "deviceConnect" },
    ]);
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("token-renewal");
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toContain("drops-right-after-connect");
  });
});

describe("one drop reported by the broker and by the agent on a device clock minutes off", () => {
  /** The broker's events and the agent's reports of the same timeline, the agent's stamped `skewMs` late. */
  function withAgent(format: FormatId, timeline: Timeline, skewMs: number): DeviceDiagnosis {
    const rendered = renderTimeline(format, "dev-7", timeline.steps, createRandom(11).fork(format), { withAgent: "mqtt5" });
    const events = toDiagnosisEvents(rendered).map((event) =>
      event.kind === "device_report" ? { ...event, occurredAt: new Date(event.occurredAt.getTime() + skewMs) } : event,
    );
    return diagnoseDevice({
      deviceId: "dev-7",
      events,
      sessions: [],
      fleet: null,
      window: { from: new Date(WINDOW_END - 7 * DAY), to: new Date(WINDOW_END) },
    });
  }

  for (const cause of ["keepalive", "protocol"] as const) {
    const timeline = week()
      .connect()
      .wait(3 * DAY)
      .drop(cause)
      .wait(3 * SECOND)
      .connect();
    for (const format of ["aws-iot", "emqx", "mosquitto-2.0"] as const) {
      it(`counts it once, too few reports to read the clock's offset from (${cause}, ${format})`, () => {
        for (const skew of [3 * MINUTE, -5 * MINUTE]) {
          const diagnosis = withAgent(format, timeline, skew);
          // Counted twice, one keepalive expiry or protocol violation made a "2 times" warning.
          expect(diagnosis.summary.drops).toBe(1);
          expect(alarms(diagnosis)).toEqual([]);
        }
      });
    }
  }
});

describe("a device whose reports are stamped by a clock hours off (local time written as UTC)", () => {
  const irregular = week().connect();
  for (const hours of [3, 7, 2, 11, 5, 9, 4, 13, 6, 8])
    irregular
      .wait(hours * HOUR)
      .drop("network")
      .wait(3 * SECOND)
      .connect();

  function diagnoseSkewed(format: FormatId, reports: "agent" | "device-report", skewMs: number): DeviceDiagnosis {
    const rnd = createRandom(11).fork(format);
    const rendered =
      reports === "agent"
        ? renderTimeline(format, "dev-7", irregular.steps, rnd, { withAgent: "mqtt5" })
        : [...renderTimeline(format, "dev-7", irregular.steps, rnd), ...renderTimeline("device-report", "dev-7", irregular.steps, rnd)];
    const events = toDiagnosisEvents(rendered).map((event) =>
      event.kind === "device_report" ? { ...event, occurredAt: new Date(event.occurredAt.getTime() + skewMs) } : event,
    );
    return diagnoseDevice({
      deviceId: "dev-7",
      events,
      sessions: [],
      fleet: null,
      window: { from: new Date(WINDOW_END - 7 * DAY), to: new Date(WINDOW_END) },
    });
  }

  for (const format of ["aws-iot", "azure-iot-hub", "emqx"] as const) {
    it(`counts each drop once, whatever the offset (${format})`, () => {
      for (const skew of [20 * MINUTE, 2 * HOUR, -5 * HOUR, 5.5 * HOUR]) {
        const diagnosis = diagnoseSkewed(format, "agent", skew);
        // Beyond 15 min each drop was two ("20 drops at irregular intervals … typical uptime 60 min", a warning).
        expect(diagnosis.summary.drops).toBe(10);
        expect(alarms(diagnosis)).toEqual([]);
      }
    });
  }

  it("lines up drop reports by themselves when the device reports no connects", () => {
    const diagnosis = diagnoseSkewed("emqx", "device-report", 2 * HOUR);
    expect(diagnosis.summary.drops).toBe(10);
  });
});

describe("connections that die at once, in one episode a device got over", () => {
  // A firmware update: a clean restart, then three connections the new firmware drops seconds in, then days connected.
  const update = week()
    .connect()
    .wait(3 * DAY)
    .drop("clean")
    .wait(40 * SECOND);
  for (const backoffSec of [2, 4, 8])
    update
      .connect()
      .wait(3 * SECOND)
      .drop("network")
      .wait(backoffSec * SECOND);
  update.connect();

  for (const format of formatsFor(update)) {
    it(`is one episode, not the device's state (${format})`, () => {
      const diagnosis = diagnoseAs(format, update);
      // It was "3 connections ended 3 s after connecting, none lasted longer", critical at 0.76.
      expect(alarms(diagnosis)).toEqual([]);
      expect(diagnosis.verdict?.analyzer).toBe("drops-right-after-connect");
      expect(diagnosis.verdict?.verdict).toContain("one episode");
      expect(diagnosis.verdict?.verdict).not.toContain("none lasted longer");
    });
  }

  it("is a warning when the episodes recur, and critical while no connection lasts", () => {
    const recurring = week().connect();
    for (let day = 0; day < 3; day += 1) {
      recurring
        .wait(30 * HOUR)
        .drop("network")
        .wait(2 * SECOND);
      for (const backoffSec of [2, 4, 8])
        recurring
          .connect()
          .wait(3 * SECOND)
          .drop("network")
          .wait(backoffSec * SECOND);
      recurring.connect();
    }
    expect(diagnoseAs("emqx", recurring).verdict).toMatchObject({ analyzer: "drops-right-after-connect", severity: "warning" });
    const stuck = week().wait(3 * DAY);
    for (const backoffSec of [2, 4, 8, 16, 32, 60])
      stuck
        .connect()
        .wait(3 * SECOND)
        .drop("network")
        .wait(backoffSec * SECOND);
    const diagnosis = diagnoseAs("emqx", stuck);
    expect(diagnosis.verdict).toMatchObject({ analyzer: "drops-right-after-connect", severity: "critical" });
  });
});

describe("sub-second retries in one short episode, then days connected", () => {
  function burst(timeline: Timeline, via: "drops" | "refusals"): Timeline {
    timeline.drop("network");
    for (let i = 0; i < 10; i += 1) {
      if (via === "refusals") timeline.wait(300).refuse("server-unavailable");
      else timeline.wait(300).connect().wait(50).drop("network");
    }
    return timeline.wait(300).connect();
  }
  const once = (via: "drops" | "refusals") =>
    burst(
      week()
        .connect()
        .wait(2 * DAY),
      via,
    );
  for (const via of ["drops", "refusals"] as const) {
    for (const format of formatsFor(once(via)).filter((format) => FORMAT_CAPABILITIES[format].connects)) {
      it(`is the missing backoff, not a storm the device is in (${via}, ${format})`, () => {
        const diagnosis = diagnoseAs(format, once(via));
        // It was "Reconnect storm without backoff", critical at 0.79, for 3 s in a week.
        expect(diagnosis.verdict).toMatchObject({ analyzer: "reconnect-storm", severity: "warning" });
        expect(diagnosis.verdict?.verdict).toContain("It happened once");
        expect(diagnosis.verdict?.confidence).toBeLessThanOrEqual(0.7);
        expect(diagnosis.verdict?.steps.find((step) => step.check === "reconnect-backoff")?.status).toBe("failed");
      });
    }
  }

  it("stays critical when the episodes recur or the device never gets back", () => {
    const recurring = burst(burst(week().connect().wait(DAY), "drops").wait(DAY), "drops");
    expect(diagnoseAs("emqx", recurring).verdict).toMatchObject({ analyzer: "reconnect-storm", severity: "critical" });
    const stuck = week()
      .connect()
      .wait(7 * DAY - 20 * MINUTE)
      .drop("network");
    for (let i = 0; i < 10; i += 1) stuck.wait(300).connect().wait(50).drop("network");
    expect(diagnoseAs("emqx", stuck).verdict).toMatchObject({ analyzer: "reconnect-storm", severity: "critical" });
  });
});

describe("a keepalive of 0 (disabled) on a device behind a NAT", () => {
  it("is named as the keepalive problem, as a long keepalive is", () => {
    const timeline = week(0).connect();
    for (const minutes of [7, 19, 11, 24, 9, 15, 6, 21, 13, 8, 17, 12])
      timeline
        .wait(minutes * MINUTE)
        .drop("network")
        .wait(3 * SECOND)
        .connect();
    for (const format of ["emqx", "mosquitto-2.0", "mosquitto-2.1"] as const) {
      const diagnosis = diagnoseAs(format, timeline);
      // No keepalive finding at all: the irregular-drop finding led, its keepalive step the only hint.
      expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
      expect(diagnosis.verdict?.verdict).toContain("disables the keepalive (0 s)");
      expect(diagnosis.verdict?.verdict).toContain("the broker never notices a dead connection on its own");
      expect(diagnosis.verdict?.evidence.stats.detectionDelaySec).toBeUndefined();
    }
  });

  it("is advice on a device that does not drop", () => {
    const diagnosis = diagnoseAs(
      "emqx",
      week(0)
        .connect()
        .wait(3 * DAY)
        .drop("clean")
        .wait(30 * SECOND)
        .connect(),
    );
    expect(alarms(diagnosis)).toEqual([]);
    expect(diagnosis.verdict).toMatchObject({ analyzer: "keepalive-too-long", severity: "info" });
  });
});

describe("a drop the broker logs seconds after the device has reconnected", () => {
  // Another broker node's clock, or a dead link noticed only when the new connection arrives: the old connection's
  // disconnect is stamped 2–5 s after the new connect.
  const timeline = week().connect();
  [3, 5, 2, 7, 4, 6, 3, 8, 2, 5, 4, 3, 6, 2, 7, 5].forEach((hours, index) =>
    timeline
      .wait(hours * HOUR)
      .wait(700)
      .connect()
      .wait((2 + (index % 4)) * SECOND)
      .drop("network"),
  );
  timeline.wait(HOUR);

  for (const format of ["aws-iot", "emqx", "hivemq", "mosquitto-2.1"] as const) {
    it(`ends the earlier connection, not the new one (${format})`, () => {
      const diagnosis = diagnoseAs(format, timeline);
      // Each drop ended the new connection "2–5 s after connecting": drops-right-after-connect, a warning at 0.9.
      expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("drops-right-after-connect");
      expect(diagnosis.verdict?.analyzer).toBe("irregular-drops");
      expect(Number(diagnosis.verdict?.evidence.stats.typicalUptimeSec)).toBeGreaterThan(3 * 3_600);
    });
  }
});

describe("a device-side history with one error report and nothing from the broker", () => {
  it("does not call one TLS failure or one rejected client ID the device's state", () => {
    for (const cause of ["tls", "client-id"] as const) {
      const diagnosis = diagnoseAs(
        "device-report",
        week()
          .wait(3 * DAY)
          .refuse(cause),
      );
      // "1 connections failed in the TLS layer and none succeeded" (critical, 0.67); the client ID's format "not
      // accepted" (critical, 0.82): one report, and such reports never list the connections that succeeded.
      expect(alarms(diagnosis)).toEqual([]);
      expect(diagnosis.verdict?.severity).toBe("info");
      expect(diagnosis.verdict?.verdict).toContain("only");
    }
  });
});
