import { describe, expect, it } from "vitest";
import { HARDENED_CONNECTION_CONFIG } from "./connection-config.ts";
import { createDiagnosticsCollector, type RecordDropInput } from "./diagnostics-collector.ts";
import { AgentExportSchema, type AgentReportEvent } from "./export-format.ts";

const CONFIG = {
  keepaliveSec: HARDENED_CONNECTION_CONFIG.keepaliveSec,
  initialReconnectDelayMs: HARDENED_CONNECTION_CONFIG.initialReconnectDelayMs,
  maxReconnectDelayMs: HARDENED_CONNECTION_CONFIG.maxReconnectDelayMs,
  deepReconnectThreshold: HARDENED_CONNECTION_CONFIG.deepReconnectThreshold,
  maxReconnectAttempts: HARDENED_CONNECTION_CONFIG.maxReconnectAttempts,
  enableCommandQueue: true,
  maxQueuedCommands: 200,
};

function createClock(start = Date.UTC(2026, 10, 22, 12, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function drop(errorName = "ECONNRESET", extra: Partial<RecordDropInput> = {}): RecordDropInput {
  return {
    errorName,
    errorCode: errorName,
    errorMessage: `read ${errorName}`,
    reconnectAttempt: 0,
    activeSubscriptions: 2,
    queuedCommands: 0,
    mqtt5ReasonCode: null,
    ...extra,
  };
}

function setup(options: { max?: number; secrets?: string[] } = {}) {
  const clock = createClock();
  const collector = createDiagnosticsCollector({
    deviceId: "meter/7",
    agentId: "a1b2c3",
    config: CONFIG,
    maxEventsRetained: options.max ?? 1000,
    now: clock.now,
    secrets: () => options.secrets ?? [],
  });
  return { clock, collector };
}

describe("createDiagnosticsCollector", () => {
  it("counts connections, drops and recoveries, and times reconnects and sessions", () => {
    const { clock, collector } = setup();
    collector.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
    clock.advance(30_000);
    expect(collector.getMetrics().currentUptimeSeconds).toBe(30);
    const first = collector.recordDrop(drop());
    expect(first.durationConnectedSeconds).toBe(30);
    expect(collector.getMetrics()).toMatchObject({ connected: false, currentUptimeSeconds: 0, totalDrops: 1 });
    clock.advance(1_500);
    const resumed = collector.recordConnection({ eventType: "resumed", sessionPresent: true, returnCode: 0, attemptNumber: 2 });
    expect(resumed.timeToReconnectSeconds).toBe(1.5);
    clock.advance(90_000);
    collector.recordDrop(drop("KEEPALIVE_TIMEOUT"));
    clock.advance(10_000);
    collector.recordConnection({ eventType: "deep_reconnected", sessionPresent: false, returnCode: 0, attemptNumber: 6 });
    clock.advance(60_000);

    expect(collector.getMetrics()).toEqual({
      connected: true,
      totalConnections: 3,
      totalDrops: 2,
      totalRecoveries: 2,
      totalConnectFailures: 0,
      sessionDurationSeconds: { min: 30, max: 90, average: 60 },
      currentUptimeSeconds: 60,
      dropsByError: { ECONNRESET: 1, KEEPALIVE_TIMEOUT: 1 },
      attemptDistribution: { "2": 1, "6": 1 },
      publishedMessages: 0,
      queuedMessages: 0,
      droppedCommands: 0,
      systemEvents: 0,
      lastDropAt: "2026-11-22T12:02:01.500Z",
    });
  });

  it("has no session statistics before the first drop and a null time-to-reconnect for the first connection", () => {
    const { collector } = setup();
    const first = collector.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
    expect(first.timeToReconnectSeconds).toBeNull();
    expect(collector.getMetrics().sessionDurationSeconds).toEqual({ min: null, max: null, average: null });
    expect(collector.getMetrics().totalRecoveries).toBe(0);
  });

  it("counts publishes, queued commands, dropped commands, failures and system events", () => {
    const { collector } = setup();
    collector.recordPublish({ queued: false });
    collector.recordPublish({ queued: false });
    collector.recordPublish({ queued: true });
    collector.recordDroppedCommand();
    collector.recordConnectFailure({
      errorName: "CONNACK_REFUSED",
      errorMessage: "Connection refused: Not authorized",
      connackCode: 5,
      protocolVersion: 4,
      attemptNumber: 1,
      deep: false,
    });
    collector.recordSystemEvent({ type: "dhcp_renewal", detail: "lease renewed on wlan0" });
    expect(collector.getMetrics()).toMatchObject({
      publishedMessages: 2,
      queuedMessages: 1,
      droppedCommands: 1,
      totalConnectFailures: 1,
      systemEvents: 1,
    });
    expect(collector.getRecentConnectFailures()).toMatchObject([{ seq: 1, connackCode: 5 }]);
    expect(collector.getRecentSystemEvents()).toMatchObject([{ seq: 2, type: "dhcp_renewal", detail: "lease renewed on wlan0" }]);
  });

  it("retains at most maxEventsRetained events per list while aggregates cover the whole run", () => {
    const { clock, collector } = setup({ max: 3 });
    for (let i = 0; i < 10; i += 1) {
      collector.recordConnection({
        eventType: i === 0 ? "connected" : "resumed",
        sessionPresent: false,
        returnCode: 0,
        attemptNumber: i === 0 ? 0 : 1,
      });
      clock.advance(1_000);
      collector.recordDrop(drop());
      clock.advance(500);
    }
    expect(collector.getRecentDrops()).toHaveLength(3);
    expect(collector.getRecentConnections()).toHaveLength(3);
    expect(collector.getRecentDrops(2).map((d) => d.seq)).toEqual([18, 20]);
    expect(collector.getRecentDrops(0)).toEqual([]);
    expect(collector.getMetrics()).toMatchObject({
      totalDrops: 10,
      totalConnections: 10,
      totalRecoveries: 9,
      attemptDistribution: { "1": 9 },
    });
  });

  it("calls drop callbacks and event callbacks, and stops after unsubscribe", () => {
    const { collector } = setup();
    const dropsSeen: string[] = [];
    const events: AgentReportEvent["type"][] = [];
    const unsubscribe = collector.onDrop((d) => dropsSeen.push(d.errorName));
    collector.onEvent((e) => events.push(e.type));
    collector.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
    collector.recordDrop(drop("EPIPE"));
    unsubscribe();
    collector.recordDrop(drop("ECONNRESET"));
    collector.recordSystemEvent({ type: "power_save" });
    expect(dropsSeen).toEqual(["EPIPE"]);
    expect(events).toEqual(["connection", "drop", "drop", "system_event"]);
  });

  it("never records the current credentials in messages", () => {
    const { collector } = setup({ secrets: ["s3cr3t-token"] });
    const recorded = collector.recordDrop(drop("CLIENT_ERROR", { errorMessage: "auth with s3cr3t-token failed" }));
    expect(recorded.errorMessage).toBe("auth with [redacted] failed");
    expect(collector.exportJson()).not.toContain("s3cr3t-token");
  });

  it("exports JSON in the documented format", () => {
    const { clock, collector } = setup();
    collector.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
    clock.advance(5_000);
    collector.recordDrop(drop());
    const exported: unknown = JSON.parse(collector.exportJson());
    const parsed = AgentExportSchema.parse(exported);
    expect(parsed).toMatchObject({
      format: "linkscope-agent-export",
      version: 1,
      deviceId: "meter/7",
      agentId: "a1b2c3",
      exportedAt: "2026-11-22T12:00:05.000Z",
      config: {
        keepaliveSec: 60,
        initialReconnectDelayMs: 500,
        maxReconnectDelayMs: 60_000,
        deepReconnectThreshold: 5,
        maxReconnectAttempts: -1,
      },
      recentDrops: [{ seq: 2, errorName: "ECONNRESET", durationConnectedSeconds: 5, timestamp: "2026-11-22T12:00:05.000Z" }],
      recentConnections: [{ seq: 1, eventType: "connected" }],
    });
    expect(Object.keys(parsed.config)).not.toContain("password");
  });

  it("prints a readable summary", () => {
    const { clock, collector } = setup();
    collector.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
    clock.advance(45_000);
    collector.recordDrop(drop("ECONNRESET"));
    const summary = collector.formatSummary();
    expect(summary).toContain("MQTT diagnostics for meter/7");
    expect(summary).toContain("state:        disconnected");
    expect(summary).toContain("drops by error: ECONNRESET ×1");
    expect(summary).toContain("ECONNRESET after 45.0 s connected");
  });
});
