import { beforeAll, describe, expect, it } from "vitest";
import { AgentExportSchema } from "@/lib/agent/export-format.ts";
import type { ConnectionEvent, Reason } from "@/lib/events/connection-event.ts";
import { getFleetFunnel } from "@/lib/fleet/get-fleet-funnel.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { getDeviceFunnel } from "@/lib/queries/get-device-funnel.ts";
import { convertAgentExport } from "@/lib/sources/linkscope-agent.ts";
import { makeAgentDrop, makeAgentExport, makeConnectionEvent } from "@/lib/testing/factories.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import type { AttemptFunnel } from "./attempt-funnel.ts";
import { DEVICE_SIDE_MISSING } from "./describe-attempt-funnel.ts";

const database = useTestDatabase();
const now = Date.now();
const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000);
const range = { from: minutesAgo(6 * 60), to: new Date(now + 60_000) };

const AGENT_DEVICE = "funnel/agent #1";
const BROKER_DEVICE = "funnel-broker-only";

function brokerEvent(deviceId: string, kind: ConnectionEvent["kind"], minutes: number, reason: Reason, code: string | null) {
  return makeConnectionEvent({ deviceId, kind, occurredAt: minutesAgo(minutes), reason, code, source: "emqx", initiator: "server" });
}

function agentEvents(): ConnectionEvent[] {
  const failure = (seq: number, minutes: number, errorName: string, connackCode: number | null) => ({
    seq,
    timestamp: minutesAgo(minutes).toISOString(),
    errorName,
    errorMessage: errorName,
    connackCode,
    protocolVersion: 4,
    attemptNumber: seq,
    deep: false,
  });
  const connection = (seq: number, minutes: number) => ({
    seq,
    timestamp: minutesAgo(minutes).toISOString(),
    eventType: "connected",
    sessionPresent: false,
    returnCode: 0,
    attemptNumber: 0,
    timeToReconnectSeconds: null,
  });
  const exported = AgentExportSchema.parse(
    makeAgentExport(AGENT_DEVICE, {
      recentConnectFailures: [
        failure(1, 300, "ENOTFOUND", null),
        failure(2, 290, "ENOTFOUND", null),
        failure(3, 280, "ENOTFOUND", null),
        failure(4, 200, "CONNACK_REFUSED", 5),
      ],
      recentConnections: [connection(5, 180), connection(7, 100)],
      recentDrops: [makeAgentDrop(minutesAgo(120).toISOString(), { seq: 6, errorName: "ECONNRESET", errorMessage: "read ECONNRESET" })],
    }),
  );
  const converted = convertAgentExport(exported);
  if (!converted.ok) throw new Error(converted.error);
  return converted.events;
}

beforeAll(async () => {
  await recordIngestBatch(database.db, {
    events: [
      ...agentEvents(),
      brokerEvent(AGENT_DEVICE, "connect_failed", 200, "not_authorized", "connack:5"),
      brokerEvent(AGENT_DEVICE, "connected", 180, "connected", null),
      brokerEvent(AGENT_DEVICE, "disconnected", 120, "connection_lost", "emqx:tcp_closed"),
      brokerEvent(AGENT_DEVICE, "connected", 100, "connected", null),
      brokerEvent(BROKER_DEVICE, "connect_failed", 50, "auth_failed", "connack:4"),
      brokerEvent(BROKER_DEVICE, "connect_failed", 40, "auth_failed", "connack:4"),
      brokerEvent(BROKER_DEVICE, "connected", 30, "connected", null),
      // Before the range: not counted.
      brokerEvent(BROKER_DEVICE, "connect_failed", 8 * 60, "auth_failed", "connack:4"),
    ],
  });
});

const stageOf = (funnel: AttemptFunnel, stage: string) => funnel.stages.find((s) => s.stage === stage);

describe("getDeviceFunnel", () => {
  it("combines the device's reports with the broker's events, each attempt counted once", async () => {
    const funnel = await getDeviceFunnel(database.db, { deviceId: AGENT_DEVICE, ...range });
    expect(funnel).toMatchObject({ attempts: 6, connected: 2, sides: { broker: true, device: true, probe: false } });
    expect(stageOf(funnel, "dns")).toMatchObject({
      failed: 3,
      share: 0.5,
      bySide: { device: 3, broker: 0 },
      topCodes: [{ code: "agent:ENOTFOUND", reason: "connection_lost", count: 3 }],
      latestAt: minutesAgo(280),
    });
    expect(stageOf(funnel, "mqtt-connect")).toMatchObject({ failed: 1, bySide: { broker: 1, device: 1 } });
    expect(stageOf(funnel, "session")).toMatchObject({ failed: 1, bySide: { broker: 1, device: 1 } });
    expect(funnel.reading).toBe(
      "3 of 6 attempts never reached the broker: DNS failed 3 times (agent:ENOTFOUND) — check the device's resolver and the broker host name; " +
        "1 refused at CONNACK (not authorized) — check the device's registration and policy; the broker dropped 1 of 2 sessions (connection lost).",
    );
  });

  it("says what it cannot see without device-side reports", async () => {
    const funnel = await getDeviceFunnel(database.db, { deviceId: BROKER_DEVICE, ...range });
    expect(funnel).toMatchObject({ attempts: 3, connected: 1 });
    expect(stageOf(funnel, "dns")?.failed).toBeNull();
    expect(funnel.reading).toBe(
      `2 of 3 attempts refused at CONNACK (auth failed) — check the device's credentials. ${DEVICE_SIDE_MISSING}`,
    );
  });
});

describe("getFleetFunnel", () => {
  it("reads the rollups by code: connects, refusals, drops and device reports of the range", async () => {
    const funnel = await getFleetFunnel(database.db, range);
    expect(funnel).toMatchObject({ attempts: 9, connected: 3, sides: { broker: true, device: true } });
    expect(stageOf(funnel, "dns")).toMatchObject({ failed: 3, bySide: { device: 3 } });
    expect(stageOf(funnel, "mqtt-connect")).toMatchObject({
      failed: 3,
      bySide: { broker: 3, device: 1 },
      topCodes: [
        { code: "connack:4", reason: "auth_failed", count: 2 },
        { code: "connack:5", reason: "not_authorized", count: 1 },
      ],
    });
  });

  it("counts no attempts under a filter, whose rollup holds no connects, and says the device side is missing", async () => {
    const funnel = await getFleetFunnel(database.db, { ...range, filter: { source: "emqx" } });
    expect(funnel).toMatchObject({ attempts: null, connected: null, sides: { device: false } });
    expect(stageOf(funnel, "dns")?.failed).toBeNull();
    expect(stageOf(funnel, "mqtt-connect")?.failed).toBe(3);
    expect(funnel.reading).toContain(DEVICE_SIDE_MISSING);
  });
});
