import { describe, expect, it } from "vitest";
import { createDiagnosticsCollector } from "@/lib/agent/diagnostics-collector.ts";
import { AGENT_FORMAT_VERSION, AGENT_REPORT_FORMAT, buildAgentReportTopic, type AgentReport } from "@/lib/agent/export-format.ts";
import { convertAgentExport, parseLinkscopeAgentMessage } from "./linkscope-agent.ts";

const DEVICE = "plant 7/line#2+ü";
const CONFIG = {
  keepaliveSec: 60,
  initialReconnectDelayMs: 500,
  maxReconnectDelayMs: 60_000,
  deepReconnectThreshold: 5,
  maxReconnectAttempts: -1,
  enableCommandQueue: true,
  maxQueuedCommands: 200,
};

/** Reports exactly as the agent builds them, from a collector driven through a small story. */
function recordStory() {
  let t = Date.UTC(2026, 10, 22, 10, 0, 0);
  const collector = createDiagnosticsCollector({
    deviceId: DEVICE,
    agentId: "f00dfeed",
    config: CONFIG,
    maxEventsRetained: 100,
    now: () => t,
  });
  const reports: AgentReport[] = [];
  collector.onEvent((report) =>
    reports.push({
      format: AGENT_REPORT_FORMAT,
      version: AGENT_FORMAT_VERSION,
      deviceId: DEVICE,
      agentId: "f00dfeed",
      sentAt: new Date(t).toISOString(),
      report,
      metrics: collector.getMetrics(),
    }),
  );
  collector.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
  t += 120_000;
  collector.recordSystemEvent({ type: "network_change", detail: "wlan0 roamed to AP 3" });
  collector.recordDrop({
    errorName: "ECONNRESET",
    errorCode: "ECONNRESET",
    errorMessage: "read ECONNRESET",
    reconnectAttempt: 0,
    activeSubscriptions: 1,
    queuedCommands: 0,
    mqtt5ReasonCode: null,
  });
  t += 600;
  collector.recordConnectFailure({
    errorName: "CONNACK_REFUSED",
    errorMessage: "Connection refused: Not authorized",
    connackCode: 5,
    protocolVersion: 4,
    attemptNumber: 1,
    deep: false,
  });
  t += 1_000;
  collector.recordConnection({ eventType: "resumed", sessionPresent: true, returnCode: 0, attemptNumber: 2 });
  t += 5_000;
  collector.recordDrop({
    errorName: "SERVER_DISCONNECT",
    errorCode: 0x8e,
    errorMessage: "server sent DISCONNECT",
    reconnectAttempt: 2,
    activeSubscriptions: 1,
    queuedCommands: 0,
    mqtt5ReasonCode: 0x8e,
  });
  t += 200;
  collector.recordConnectFailure({
    errorName: "CONNACK_REFUSED",
    errorMessage: "refused",
    connackCode: 0x87,
    protocolVersion: 5,
    attemptNumber: 1,
    deep: false,
  });
  return { collector, reports };
}

const topic = buildAgentReportTopic(DEVICE);
const parse = (report: unknown, on = topic) => parseLinkscopeAgentMessage(on, Buffer.from(JSON.stringify(report)));

describe("parseLinkscopeAgentMessage", () => {
  it("turns each report into a device_report event with the documented codes and reasons", () => {
    const { reports } = recordStory();
    const events = reports.map((report) => {
      const result = parse(report);
      if (!result.ok) throw new Error(result.error);
      return result.events[0];
    });
    expect(events.map((e) => [e?.kind, e?.code, e?.reason, e?.initiator])).toEqual([
      ["device_report", "connack:0", "connected", "client"],
      ["device_report", "agent:system_event:network_change", "unknown", "client"],
      ["device_report", "agent:ECONNRESET", "connection_lost", "network"],
      ["device_report", "connack:5", "not_authorized", "server"],
      ["device_report", "connack:0", "connected", "client"],
      ["device_report", "mqtt5:0x8E", "session_taken_over", "server"],
      ["device_report", "mqtt5:0x87", "not_authorized", "server"],
    ]);
    expect(events[2]).toMatchObject({
      deviceId: DEVICE,
      source: "linkscope-agent",
      occurredAt: new Date("2026-11-22T10:02:00.000Z"),
      message: "dropped after 120 s connected: read ECONNRESET",
    });
    expect(events[4]).toMatchObject({ sessionPresent: true, message: "resumed on attempt 2 after 1.6 s offline" });
    expect(new Set(events.map((e) => e?.dedupeKey)).size).toBe(events.length);
  });

  it("gives a redelivered report the same dedupe key", () => {
    const { reports } = recordStory();
    const once = parse(reports[2]);
    const again = parse(reports[2]);
    expect(once.ok && again.ok && once.events[0]?.dedupeKey === again.events[0]?.dedupeKey).toBe(true);
  });

  it("rejects reports for another device, non-JSON, wrong shapes, unknown topics and oversized payloads", () => {
    const { reports } = recordStory();
    const first = reports[0];
    expect(parse(first, buildAgentReportTopic("someone-else"))).toMatchObject({
      ok: false,
      error: expect.stringContaining("does not match"),
    });
    expect(parseLinkscopeAgentMessage(topic, Buffer.from("{not json"))).toMatchObject({
      ok: false,
      error: expect.stringContaining("not JSON"),
    });
    expect(parse({ ...first, version: 2 })).toMatchObject({ ok: false, error: expect.stringContaining("version") });
    expect(parse({ ...first, report: { type: "drop", event: { seq: 1 } } })).toMatchObject({ ok: false });
    expect(parse(first, "linkscope/agent/x/y/report")).toMatchObject({
      ok: false,
      error: expect.stringContaining("not an agent report topic"),
    });
    expect(parse(first, "linkscope/agent/%E0%A4%A/report")).toMatchObject({ ok: false });
    expect(parseLinkscopeAgentMessage(topic, Buffer.alloc(20_000, 32))).toMatchObject({
      ok: false,
      error: expect.stringContaining("limit"),
    });
  });
});

describe("agent vitals readings", () => {
  const reading = {
    format: "linkscope-agent-vitals",
    version: 1,
    deviceId: DEVICE,
    agentId: "a1b2c3",
    measuredAt: "2026-11-22T10:05:00.000Z",
    vitals: { rssiDbm: -78, linkQualityPct: 40 },
    publishedMessages: 120,
  };

  it("become device samples, not events", () => {
    expect(parse(reading)).toEqual({
      ok: true,
      events: [],
      samples: [
        {
          deviceId: DEVICE,
          series: "a1b2c3",
          at: new Date("2026-11-22T10:05:00.000Z"),
          rssiDbm: -78,
          linkQualityPct: 40,
          batteryPct: null,
          freeMemoryBytes: null,
          uptimeSec: null,
          publishedMessages: 120,
        },
      ],
    });
  });

  it("are refused for another device or out of range", () => {
    expect(parse(reading, buildAgentReportTopic("someone-else"))).toMatchObject({
      ok: false,
      error: expect.stringContaining("does not match"),
    });
    expect(parse({ ...reading, vitals: { rssiDbm: 12 } })).toMatchObject({ ok: false, error: expect.stringContaining("vitals.rssiDbm") });
  });

  it("ride along every report as the publish count at that moment", () => {
    const { reports } = recordStory();
    const result = parse(reports[2]);
    expect(result.ok && result.samples).toEqual([
      expect.objectContaining({ at: new Date("2026-11-22T10:02:00.000Z"), publishedMessages: expect.any(Number), rssiDbm: null }),
    ]);
  });
});

describe("convertAgentExport", () => {
  it("produces the same events (and dedupe keys) as the live reports", () => {
    const { collector, reports } = recordStory();
    const exported = convertAgentExport(collector.exportData());
    if (!exported.ok) throw new Error(exported.error);
    const live = reports.map((r) => parse(r)).flatMap((r) => (r.ok ? r.events : []));
    expect(exported.events.map((e) => e.dedupeKey).sort()).toEqual(live.map((e) => e.dedupeKey).sort());
    expect(exported.events.map((e) => e.code).sort()).toEqual(live.map((e) => e.code).sort());
  });
});
