import {
  AGENT_EXPORT_FORMAT,
  AGENT_FORMAT_VERSION,
  type AgentExport,
  type AgentMetrics,
  type AgentReportEvent,
  type ConnectFailure,
  type ConnectionRecord,
  type DropEvent,
  type ExportedConfig,
  type SystemEvent,
} from "./export-format.ts";

export type RecordDropInput = Omit<DropEvent, "seq" | "timestamp" | "durationConnectedSeconds" | "errorMessage"> & {
  errorMessage: string;
};
export type RecordConnectionInput = Pick<ConnectionRecord, "eventType" | "sessionPresent" | "returnCode" | "attemptNumber">;
export type RecordConnectFailureInput = Omit<ConnectFailure, "seq" | "timestamp">;
export type RecordSystemEventInput = Pick<SystemEvent, "type"> & { detail?: string | null };

export type DiagnosticsCollector = {
  recordDrop(input: RecordDropInput): DropEvent;
  recordConnection(input: RecordConnectionInput): ConnectionRecord;
  recordConnectFailure(input: RecordConnectFailureInput): ConnectFailure;
  recordSystemEvent(input: RecordSystemEventInput): SystemEvent;
  recordPublish(options: { queued: boolean }): void;
  recordDroppedCommand(): void;
  getMetrics(): AgentMetrics;
  getRecentDrops(limit?: number): DropEvent[];
  getRecentConnections(limit?: number): ConnectionRecord[];
  getRecentConnectFailures(limit?: number): ConnectFailure[];
  getRecentSystemEvents(limit?: number): SystemEvent[];
  exportData(): AgentExport;
  exportJson(): string;
  formatSummary(): string;
  /** Called synchronously after every recorded drop; returns an unsubscribe function. */
  onDrop(callback: (drop: DropEvent) => void): () => void;
  /** Called after every recorded event of any type (the agent publishes these as reports). */
  onEvent(callback: (event: AgentReportEvent) => void): () => void;
};

export type DiagnosticsCollectorOptions = {
  deviceId: string;
  /** Identifies this run of the agent; with `seq` it makes every recorded event unique across restarts. */
  agentId: string;
  config: ExportedConfig;
  maxEventsRetained: number;
  now?: () => number;
  /** Strings (current credentials) that must never appear in recorded messages. */
  secrets?: () => readonly string[];
};

const MESSAGE_LIMIT = 500;

/**
 * Device-side connection telemetry (a TypeScript port of the field guide's MqttDiagnosticsCollector): every drop
 * and recovery, failed attempts, publishes and system events, with aggregate metrics. Pure bookkeeping with an
 * injected clock; memory is bounded by `maxEventsRetained` per list while the aggregates cover the whole run.
 */
export function createDiagnosticsCollector(options: DiagnosticsCollectorOptions): DiagnosticsCollector {
  const now = options.now ?? Date.now;
  const max = options.maxEventsRetained;
  const drops: DropEvent[] = [];
  const connections: ConnectionRecord[] = [];
  const failures: ConnectFailure[] = [];
  const systemEvents: SystemEvent[] = [];
  const dropCallbacks = new Set<(drop: DropEvent) => void>();
  const eventCallbacks = new Set<(event: AgentReportEvent) => void>();

  let seq = 0;
  let connectedSince: number | null = null;
  let lastDropAt: number | null = null;
  let totalConnections = 0;
  let totalDrops = 0;
  let totalRecoveries = 0;
  let totalConnectFailures = 0;
  let totalSystemEvents = 0;
  let published = 0;
  let queued = 0;
  let droppedCommands = 0;
  let sessionCount = 0;
  let sessionSum = 0;
  let sessionMin: number | null = null;
  let sessionMax: number | null = null;
  const dropsByError: Record<string, number> = {};
  const attemptDistribution: Record<string, number> = {};

  const push = <T>(list: T[], item: T) => {
    list.push(item);
    if (list.length > max) list.splice(0, list.length - max);
  };
  const tail = <T>(list: T[], limit?: number) => (limit === undefined ? [...list] : limit <= 0 ? [] : list.slice(-limit));
  const emit = (event: AgentReportEvent) => {
    for (const callback of eventCallbacks) callback(event);
  };
  const clean = (message: string) => {
    let text = message;
    for (const secret of options.secrets?.() ?? []) if (secret.length >= 4) text = text.split(secret).join("[redacted]");
    return text.slice(0, MESSAGE_LIMIT);
  };
  const stamp = () => ({ seq: ++seq, timestamp: new Date(now()).toISOString() });
  const roundSeconds = (ms: number) => Math.round(ms) / 1_000;

  const collector: DiagnosticsCollector = {
    recordDrop(input) {
      const at = now();
      const duration = connectedSince === null ? 0 : roundSeconds(Math.max(0, at - connectedSince));
      const drop: DropEvent = { ...stamp(), ...input, errorMessage: clean(input.errorMessage), durationConnectedSeconds: duration };
      if (connectedSince !== null) {
        sessionCount += 1;
        sessionSum += duration;
        sessionMin = sessionMin === null ? duration : Math.min(sessionMin, duration);
        sessionMax = sessionMax === null ? duration : Math.max(sessionMax, duration);
      }
      connectedSince = null;
      lastDropAt = at;
      totalDrops += 1;
      dropsByError[drop.errorName] = (dropsByError[drop.errorName] ?? 0) + 1;
      push(drops, drop);
      for (const callback of dropCallbacks) callback(drop);
      emit({ type: "drop", event: drop });
      return drop;
    },
    recordConnection(input) {
      const at = now();
      const recovering = input.eventType !== "connected" && lastDropAt !== null;
      const record: ConnectionRecord = {
        ...stamp(),
        ...input,
        timeToReconnectSeconds: recovering && lastDropAt !== null ? roundSeconds(at - lastDropAt) : null,
      };
      connectedSince = at;
      totalConnections += 1;
      if (recovering) {
        totalRecoveries += 1;
        const key = String(input.attemptNumber);
        attemptDistribution[key] = (attemptDistribution[key] ?? 0) + 1;
      }
      lastDropAt = recovering ? null : lastDropAt;
      push(connections, record);
      emit({ type: "connection", event: record });
      return record;
    },
    recordConnectFailure(input) {
      const failure: ConnectFailure = { ...stamp(), ...input, errorMessage: clean(input.errorMessage) };
      totalConnectFailures += 1;
      push(failures, failure);
      emit({ type: "connect_failed", event: failure });
      return failure;
    },
    recordSystemEvent(input) {
      const event: SystemEvent = { ...stamp(), type: input.type, detail: input.detail == null ? null : clean(input.detail).slice(0, 300) };
      totalSystemEvents += 1;
      push(systemEvents, event);
      emit({ type: "system_event", event });
      return event;
    },
    recordPublish({ queued: wasQueued }) {
      if (wasQueued) queued += 1;
      else published += 1;
    },
    recordDroppedCommand() {
      droppedCommands += 1;
    },
    getMetrics() {
      return {
        connected: connectedSince !== null,
        totalConnections,
        totalDrops,
        totalRecoveries,
        totalConnectFailures,
        sessionDurationSeconds: {
          min: sessionMin,
          max: sessionMax,
          average: sessionCount === 0 ? null : Math.round((sessionSum / sessionCount) * 1_000) / 1_000,
        },
        currentUptimeSeconds: connectedSince === null ? 0 : roundSeconds(Math.max(0, now() - connectedSince)),
        dropsByError: { ...dropsByError },
        attemptDistribution: { ...attemptDistribution },
        publishedMessages: published,
        queuedMessages: queued,
        droppedCommands,
        systemEvents: totalSystemEvents,
        lastDropAt: drops.at(-1)?.timestamp ?? null,
      };
    },
    getRecentDrops: (limit) => tail(drops, limit),
    getRecentConnections: (limit) => tail(connections, limit),
    getRecentConnectFailures: (limit) => tail(failures, limit),
    getRecentSystemEvents: (limit) => tail(systemEvents, limit),
    exportData() {
      return {
        format: AGENT_EXPORT_FORMAT,
        version: AGENT_FORMAT_VERSION,
        deviceId: options.deviceId,
        agentId: options.agentId,
        exportedAt: new Date(now()).toISOString(),
        config: { ...options.config },
        metrics: collector.getMetrics(),
        recentDrops: tail(drops),
        recentConnections: tail(connections),
        recentConnectFailures: tail(failures),
        recentSystemEvents: tail(systemEvents),
      };
    },
    exportJson: () => JSON.stringify(collector.exportData(), null, 2),
    formatSummary: () => formatAgentSummary(options.deviceId, collector.getMetrics(), tail(drops, 5)),
    onDrop(callback) {
      dropCallbacks.add(callback);
      return () => dropCallbacks.delete(callback);
    },
    onEvent(callback) {
      eventCallbacks.add(callback);
      return () => eventCallbacks.delete(callback);
    },
  };
  return collector;
}

function formatSeconds(value: number | null): string {
  if (value === null) return "—";
  if (value < 120) return `${value.toFixed(1)} s`;
  if (value < 7_200) return `${(value / 60).toFixed(1)} min`;
  return `${(value / 3_600).toFixed(1)} h`;
}

/** The human-readable summary `printSummary()` writes. */
export function formatAgentSummary(deviceId: string, metrics: AgentMetrics, recentDrops: readonly DropEvent[]): string {
  const lines = [
    `MQTT diagnostics for ${deviceId}`,
    `  state:        ${metrics.connected ? `connected for ${formatSeconds(metrics.currentUptimeSeconds)}` : "disconnected"}`,
    `  connections:  ${metrics.totalConnections} (${metrics.totalRecoveries} recoveries after ${metrics.totalDrops} drops, ${metrics.totalConnectFailures} failed attempts)`,
    `  sessions:     min ${formatSeconds(metrics.sessionDurationSeconds.min)} · avg ${formatSeconds(metrics.sessionDurationSeconds.average)} · max ${formatSeconds(metrics.sessionDurationSeconds.max)}`,
    `  messages:     ${metrics.publishedMessages} published, ${metrics.queuedMessages} queued while offline, ${metrics.droppedCommands} dropped (queue full)`,
  ];
  const errors = Object.entries(metrics.dropsByError).sort((a, b) => b[1] - a[1]);
  if (errors.length > 0) lines.push(`  drops by error: ${errors.map(([name, count]) => `${name} ×${count}`).join(", ")}`);
  const attempts = Object.entries(metrics.attemptDistribution).sort((a, b) => Number(a[0]) - Number(b[0]));
  if (attempts.length > 0) lines.push(`  recovered on attempt: ${attempts.map(([attempt, count]) => `#${attempt} ×${count}`).join(", ")}`);
  for (const drop of recentDrops) {
    lines.push(`  ${drop.timestamp}  ${drop.errorName} after ${formatSeconds(drop.durationConnectedSeconds)} connected`);
  }
  return lines.join("\n");
}
