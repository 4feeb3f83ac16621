import { describe, expect, it } from "vitest";
import { createDiagnosticsCollector } from "@/lib/agent/diagnostics-collector.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseDeviceReport } from "@/lib/sources/device-report.ts";
import { convertAgentExport } from "@/lib/sources/linkscope-agent.ts";
import { classifyDeviceReport } from "./device-reports.ts";
import { diagnoseDevice } from "./diagnose-device.ts";
import { toDiagnosisEvents } from "./from-connection-event.ts";

const HOUR = 3_600_000;

function reportOf(value: unknown): ConnectionEvent {
  const result = parseDeviceReport(value);
  if (!result.ok || !result.events[0]) throw new Error(result.ok ? "no event" : result.error);
  return result.events[0];
}

describe("device reports as the real adapters produce them", () => {
  it("classifies device-report webhook errors as drops or refusals, never as system events", () => {
    const at = "2026-11-20T10:00:00Z";
    const roles = [
      reportOf({ deviceId: "d", occurredAt: at, crtCode: 5134 }),
      reportOf({ deviceId: "d", occurredAt: at, connackCode: 5 }),
      reportOf({ deviceId: "d", occurredAt: at, error: "mqtt: SERVER: The authorization token expired.", platform: "gcp-iot" }),
      reportOf({ deviceId: "d", occurredAt: at, reasonCode: 0x97 }),
    ].map(classifyDeviceReport);
    expect(roles).toEqual(["drop", "refusal", expect.stringMatching(/^(drop|refusal)$/), expect.stringMatching(/^(drop|refusal)$/)]);
  });

  it("diagnoses a device from an uploaded agent export alone: periodic expiry, and drops after its system events", () => {
    let t = Date.UTC(2026, 10, 18);
    const collector = createDiagnosticsCollector({
      deviceId: "agent-only",
      agentId: "unit0export",
      config: {
        keepaliveSec: 60,
        initialReconnectDelayMs: 500,
        maxReconnectDelayMs: 60_000,
        deepReconnectThreshold: 5,
        maxReconnectAttempts: -1,
        enableCommandQueue: true,
        maxQueuedCommands: 200,
      },
      maxEventsRetained: 1000,
      now: () => t,
    });
    collector.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
    for (let i = 0; i < 10; i += 1) {
      t += HOUR + (i % 3) * 15_000;
      collector.recordDrop({
        errorName: "SERVER_DISCONNECT",
        errorCode: null,
        errorMessage: "Not authorized",
        reconnectAttempt: 0,
        activeSubscriptions: 2,
        queuedCommands: 0,
        mqtt5ReasonCode: 0x87,
      });
      t += 3_000;
      collector.recordConnection({ eventType: "resumed", sessionPresent: true, returnCode: 0, attemptNumber: 1 });
    }
    const converted = convertAgentExport(collector.exportData());
    if (!converted.ok) throw new Error(converted.error);
    const events = toDiagnosisEvents(converted.events);
    const diagnosis = diagnoseDevice({
      deviceId: "agent-only",
      events,
      sessions: [],
      fleet: null,
      window: { from: new Date(Date.UTC(2026, 10, 17)), to: new Date(t + 1) },
    });
    expect(diagnosis.verdict?.analyzer).toBe("periodic-drops");
    expect(diagnosis.summary).toMatchObject({ drops: 10, connects: 11 });

    let u = Date.UTC(2026, 10, 18);
    const wifi = createDiagnosticsCollector({
      deviceId: "agent-wifi",
      agentId: "unit0wifi",
      config: {
        keepaliveSec: 60,
        initialReconnectDelayMs: 500,
        maxReconnectDelayMs: 60_000,
        deepReconnectThreshold: 5,
        maxReconnectAttempts: -1,
        enableCommandQueue: true,
        maxQueuedCommands: 200,
      },
      maxEventsRetained: 1000,
      now: () => u,
    });
    wifi.recordConnection({ eventType: "connected", sessionPresent: false, returnCode: 0, attemptNumber: 0 });
    for (let i = 0; i < 6; i += 1) {
      u += (3 + i * 1.7) * HOUR;
      wifi.recordSystemEvent({ type: i % 2 === 0 ? "power_save" : "network_change", detail: "wlan0" });
      u += 20_000;
      wifi.recordDrop({
        errorName: "ECONNRESET",
        errorCode: "ECONNRESET",
        errorMessage: "read ECONNRESET",
        reconnectAttempt: 0,
        activeSubscriptions: 1,
        queuedCommands: 0,
        mqtt5ReasonCode: null,
      });
      u += 5_000;
      wifi.recordConnection({ eventType: "resumed", sessionPresent: true, returnCode: 0, attemptNumber: 1 });
    }
    const wifiEvents = convertAgentExport(wifi.exportData());
    if (!wifiEvents.ok) throw new Error(wifiEvents.error);
    const wifiDiagnosis = diagnoseDevice({
      deviceId: "agent-wifi",
      events: toDiagnosisEvents(wifiEvents.events),
      sessions: [],
      fleet: null,
      window: { from: new Date(Date.UTC(2026, 10, 17)), to: new Date(u + 1) },
    });
    const systemFinding = wifiDiagnosis.findings.find((finding) => finding.analyzer === "system-event-drops");
    expect(systemFinding?.verdict).toMatch(
      /^6 of 6 drops came within 2 min of a system event the device reported \(power save, network change\)/,
    );
  });
});
