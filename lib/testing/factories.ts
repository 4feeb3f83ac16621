import type { AgentMetrics } from "@/lib/agent/export-format.ts";
import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "@/lib/db/client.ts";
import type { DiagnosisEvent } from "@/lib/diagnosis/types.ts";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { CreateProbeEndpoint } from "@/lib/probe-schedule/probe-endpoint-schemas.ts";

/**
 * Test data with unique keys, so tests never share rows: each factory fills what a test does not care about and
 * takes the fields it does as overrides.
 */

const uniqueSuffix = () => randomUUID().slice(0, 8);

/** A normalized event as an adapter emits it: a network drop unless `kind` says otherwise, with a unique dedupe key. */
export function makeConnectionEvent(overrides: Partial<ConnectionEvent> = {}): ConnectionEvent {
  const kind = overrides.kind ?? "disconnected";
  return {
    ...EVENT_DEFAULTS,
    deviceId: `device-${uniqueSuffix()}`,
    kind,
    occurredAt: new Date(),
    reason: kind === "connected" ? "connected" : "connection_lost",
    initiator: kind === "connected" ? "client" : "network",
    source: "test",
    dedupeKey: `test:${randomUUID()}`,
    raw: {},
    ...overrides,
  };
}

/** An event as the diagnosis engine reads it: a keepalive timeout unless `kind` or `reason` say otherwise. */
export function makeDiagnosisEvent(overrides: Partial<DiagnosisEvent> = {}): DiagnosisEvent {
  const kind = overrides.kind ?? "disconnected";
  return {
    id: randomUUID(),
    kind,
    occurredAt: new Date(),
    reason: kind === "connected" ? "connected" : "keepalive_timeout",
    initiator: kind === "connected" ? "client" : "server",
    code: null,
    message: null,
    clientIp: null,
    keepaliveSec: null,
    ...overrides,
  };
}

/** The data of a device row with a unique ID. */
export function makeDevice(overrides: Partial<Prisma.DeviceUncheckedCreateInput> = {}): Prisma.DeviceUncheckedCreateInput {
  return { id: `device-${uniqueSuffix()}`, ...overrides };
}

/** Inserts a device row (see makeDevice) and returns it. */
export function createDevice(db: Db, overrides: Partial<Prisma.DeviceUncheckedCreateInput> = {}) {
  return db.device.create({ data: makeDevice(overrides) });
}

/** The metrics an agent sends with every report and export: a quiet agent's, with `overrides`. */
export function makeAgentMetrics(overrides: Partial<AgentMetrics> = {}): AgentMetrics {
  return {
    connected: true,
    totalConnections: 1,
    totalDrops: 0,
    totalRecoveries: 0,
    totalConnectFailures: 0,
    sessionDurationSeconds: { min: null, max: null, average: null },
    currentUptimeSeconds: 0,
    dropsByError: {},
    attemptDistribution: {},
    publishedMessages: 0,
    queuedMessages: 0,
    droppedCommands: 0,
    systemEvents: 0,
    lastDropAt: null,
    ...overrides,
  };
}

/**
 * An agent export (lib/agent/export-format.ts) as the device page's upload takes it: the agent's default settings, a
 * quiet agent's metrics and empty lists, with `overrides` (the lists under test). Entries are `unknown` so a test can
 * hand in bad ones.
 */
export function makeAgentExport(deviceId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: "linkscope-agent-export",
    version: 1,
    deviceId,
    agentId: "a1",
    exportedAt: new Date().toISOString(),
    config: {
      keepaliveSec: 60,
      initialReconnectDelayMs: 1000,
      maxReconnectDelayMs: 60000,
      deepReconnectThreshold: 5,
      maxReconnectAttempts: -1,
      enableCommandQueue: true,
      maxQueuedCommands: 100,
    },
    metrics: makeAgentMetrics(),
    recentDrops: [],
    recentConnections: [],
    recentConnectFailures: [],
    recentSystemEvents: [],
    ...overrides,
  };
}

/** One entry of an agent export's `recentDrops`: a keepalive timeout after 10 minutes connected, at `timestamp` (any text). */
export function makeAgentDrop(timestamp: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seq: 7,
    timestamp,
    errorName: "KEEPALIVE_TIMEOUT",
    errorCode: null,
    errorMessage: "keepalive timeout",
    reconnectAttempt: 0,
    durationConnectedSeconds: 600,
    activeSubscriptions: 1,
    queuedCommands: 0,
    mqtt5ReasonCode: null,
    ...overrides,
  };
}

/** A scheduled probe endpoint as its form sends it: enabled every 5 min, MQTT 3.1.1, no credentials, no fleet scope. */
export function makeProbeEndpointInput(overrides: Partial<CreateProbeEndpoint> = {}): CreateProbeEndpoint {
  return {
    name: `endpoint-${uniqueSuffix()}`,
    url: `mqtts://broker-${uniqueSuffix()}.test:8883`,
    mqttVersion: 4,
    intervalMinutes: 5,
    enabled: true,
    clientId: null,
    username: null,
    password: null,
    caPem: null,
    source: null,
    brokerNode: null,
    ...overrides,
  };
}
