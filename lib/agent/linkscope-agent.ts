import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import mqtt, { MqttClient, type IClientOptions, type IClientPublishOptions } from "mqtt";
import {
  computeReconnectDelay,
  isDeepAttempt,
  resolveConnectionConfig,
  type AgentConnectionConfig,
  type AgentConnectionConfigInput,
} from "./connection-config.ts";
import { describeMqttError } from "./describe-mqtt-error.ts";
import { createDiagnosticsCollector, type DiagnosticsCollector } from "./diagnostics-collector.ts";
import {
  AGENT_FORMAT_VERSION,
  AGENT_REPORT_FORMAT,
  AGENT_VITALS_FORMAT,
  buildAgentReportTopic,
  DeviceVitalsSchema,
  type AgentReport,
  type AgentReportEvent,
  type AgentVitalsReport,
  type DeviceVitals,
  type SystemEvent,
} from "./export-format.ts";

export type Credentials = { username?: string; password?: string | Buffer };

export type CredentialRequest = {
  /** True for attempts beyond `deepReconnectThreshold`: the provider should fetch fresh credentials (new token). */
  deep: boolean;
  /** 0 for the first connection, then the reconnect attempt number. */
  attempt: number;
};

export type Timers = {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export type LinkscopeAgentOptions = {
  /** The device's client ID; reports and exports are keyed by it. */
  deviceId: string;
  /** `mqtt://host:port`, `mqtts://…`, `ws://…`; or give `transport` instead. */
  brokerUrl?: string;
  /** Opens the byte stream to the broker for each attempt (a TLS socket, a proxy, a bound local address). */
  transport?: () => Duplex;
  /** Asked before every attempt; cache inside unless `deep` is set. */
  getCredentials?: (request: CredentialRequest) => Credentials | Promise<Credentials>;
  config?: AgentConnectionConfigInput;
  /** Further MQTT.js options (protocol version, clean, TLS, will…); reconnect handling is the agent's. */
  mqttOptions?: Omit<
    IClientOptions,
    "clientId" | "keepalive" | "reconnectPeriod" | "connectTimeout" | "manualConnect" | "username" | "password"
  >;
  /** Publish device reports on `buildAgentReportTopic(deviceId)` (default true). */
  publishReports?: boolean;
  /**
   * Signal and vitals the device application supplies (Wi-Fi RSSI or cellular signal, link quality, battery, free
   * memory, process uptime), read every `intervalMs` (default 60 s) and reported with the publish count.
   */
  vitals?: { read: () => DeviceVitals | Promise<DeviceVitals>; intervalMs?: number };
  now?: () => number;
  timers?: Timers;
  random?: () => number;
};

export type PublishOutcome = "sent" | "queued" | "dropped";

export type AgentEvents = {
  connected: (record: { eventType: string; attemptNumber: number }) => void;
  gaveUp: (attempts: number) => void;
};

export type LinkscopeAgent = {
  readonly deviceId: string;
  readonly agentId: string;
  readonly config: AgentConnectionConfig;
  /** The wrapped MQTT.js client (for `on("message")` and anything the agent does not wrap). */
  readonly client: MqttClient;
  readonly diagnostics: DiagnosticsCollector;
  /** Starts connecting; resolves when the first attempt has been made (not when it succeeded). */
  start(): Promise<void>;
  isConnected(): boolean;
  /** Sends now when connected; else keeps it in the bounded command queue and sends it after reconnecting. */
  publish(topic: string, payload: string | Buffer, options?: IClientPublishOptions): PublishOutcome;
  /** Subscribes now (when connected) and again after every reconnect that lost the session. */
  subscribe(topic: string, qos?: 0 | 1 | 2): void;
  queuedCommands(): number;
  /** Notes a device-side system event so drops can be correlated with it. */
  reportSystemEvent(type: SystemEvent["type"], detail?: string): void;
  /** Reports a signal / vitals reading now (besides the `vitals.read` interval), e.g. when the RSSI changes. */
  reportVitals(vitals: DeviceVitals): void;
  exportJson(): string;
  printSummary(write?: (text: string) => void): void;
  on<E extends keyof AgentEvents>(event: E, listener: AgentEvents[E]): void;
  /** Stops reconnecting and closes the connection (a clean DISCONNECT when connected, unless `force`). */
  stop(options?: { force?: boolean }): Promise<void>;
};

type QueuedCommand = { topic: string; payload: string | Buffer; options: IClientPublishOptions };

export const DEFAULT_VITALS_INTERVAL_MS = 60_000;
/** Readings kept while offline: the last half hour at the default interval; drop reports have their own queue. */
const MAX_PENDING_VITALS = 30;

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The Linkscope device agent: an MQTT.js client with hardened reconnect behaviour (exponential backoff with
 * jitter, deep reconnect with fresh credentials, bounded offline command queue) and a diagnostics collector that
 * records every drop, recovery, failed attempt and system event, exports them as JSON and publishes each one as
 * a device report so Linkscope can put device-side context next to the broker's view.
 */
export function createLinkscopeAgent(options: LinkscopeAgentOptions): LinkscopeAgent {
  if (!options.brokerUrl && !options.transport) throw new Error("createLinkscopeAgent needs brokerUrl or transport");
  const config = resolveConnectionConfig(options.config);
  const now = options.now ?? Date.now;
  const timers = options.timers ?? defaultTimers;
  const random = options.random ?? Math.random;
  const agentId = randomBytes(8).toString("hex");
  const reportTopic = buildAgentReportTopic(options.deviceId);
  const publishReports = options.publishReports ?? true;

  let currentPassword: string | undefined;
  const diagnostics = createDiagnosticsCollector({
    deviceId: options.deviceId,
    agentId,
    now,
    maxEventsRetained: config.maxEventsRetained,
    config: {
      keepaliveSec: config.keepaliveSec,
      initialReconnectDelayMs: config.initialReconnectDelayMs,
      maxReconnectDelayMs: config.maxReconnectDelayMs,
      deepReconnectThreshold: config.deepReconnectThreshold,
      maxReconnectAttempts: config.maxReconnectAttempts,
      enableCommandQueue: config.enableCommandQueue,
      maxQueuedCommands: config.maxQueuedCommands,
    },
    secrets: () => (currentPassword ? [currentPassword] : []),
  });

  const clientOptions: IClientOptions = {
    protocolVersion: 4,
    ...options.mqttOptions,
    clientId: options.deviceId,
    keepalive: config.keepaliveSec,
    connectTimeout: config.connectTimeoutMs,
    reconnectPeriod: 0,
    manualConnect: true,
    resubscribe: false,
    queueQoSZero: false,
  };
  const client = options.transport
    ? new MqttClient(options.transport, clientOptions)
    : mqtt.connect(options.brokerUrl ?? "", clientOptions);

  const commands: QueuedCommand[] = [];
  const pendingReports: AgentReport[] = [];
  const pendingVitals: AgentVitalsReport[] = [];
  let vitalsTimer: unknown;
  const subscriptions = new Map<string, 0 | 1 | 2>();
  const listeners: { [E in keyof AgentEvents]: Set<AgentEvents[E]> } = { connected: new Set(), gaveUp: new Set() };

  let stopped = false;
  let started = false;
  let connected = false;
  /** Attempt of the connection in progress or established: 0 initial, then 1, 2, … since the last drop. */
  let attempt = 0;
  let attemptDeep = false;
  let establishedOnAttempt = 0;
  let everConnected = false;
  let retryTimer: unknown;
  let lastError: Error | undefined;
  let serverDisconnectCode: number | undefined;
  let refusedCode: number | undefined;

  const protocolVersion = (clientOptions.protocolVersion ?? 4) as 3 | 4 | 5;

  client.on("error", (error) => {
    lastError = error;
    if (!connected && "code" in error && typeof error.code === "number") refusedCode = error.code;
  });
  client.on("disconnect", (packet) => {
    serverDisconnectCode = packet.reasonCode ?? 0;
  });
  client.on("connect", (connack) => {
    connected = true;
    establishedOnAttempt = attempt;
    const eventType = attemptDeep ? "deep_reconnected" : !everConnected ? "connected" : "resumed";
    everConnected = true;
    const returnCode = protocolVersion === 5 ? (connack.reasonCode ?? 0) : (connack.returnCode ?? 0);
    diagnostics.recordConnection({ eventType, sessionPresent: connack.sessionPresent, returnCode, attemptNumber: attempt });
    for (const listener of listeners.connected) listener({ eventType, attemptNumber: attempt });
    if (!connack.sessionPresent && subscriptions.size > 0) {
      client.subscribe(Object.fromEntries([...subscriptions].map(([topic, qos]) => [topic, { qos }])));
    }
    flushReports();
    flushCommands();
  });
  client.on("close", () => {
    const wasConnected = connected;
    connected = false;
    const described = describeMqttError({ error: lastError, serverDisconnectCode, refusedCode, connecting: !wasConnected });
    lastError = undefined;
    serverDisconnectCode = undefined;
    refusedCode = undefined;
    if (stopped && !wasConnected) return;
    if (wasConnected) {
      if (stopped) return; // our own clean shutdown is not a drop
      diagnostics.recordDrop({
        errorName: described.name,
        errorCode: described.code,
        errorMessage: described.message,
        reconnectAttempt: establishedOnAttempt,
        activeSubscriptions: subscriptions.size,
        queuedCommands: commands.length,
        mqtt5ReasonCode: described.name === "SERVER_DISCONNECT" && typeof described.code === "number" ? described.code : null,
      });
      attempt = 0;
    } else {
      diagnostics.recordConnectFailure({
        errorName: described.name,
        errorMessage: described.message,
        connackCode: described.connackCode,
        protocolVersion,
        attemptNumber: attempt,
        deep: attemptDeep,
      });
    }
    scheduleReconnect();
  });

  diagnostics.onEvent((event) => sendReport(event));

  function sendReport(event: AgentReportEvent): void {
    if (!publishReports) return;
    const report: AgentReport = {
      format: AGENT_REPORT_FORMAT,
      version: AGENT_FORMAT_VERSION,
      deviceId: options.deviceId,
      agentId,
      sentAt: new Date(now()).toISOString(),
      report: event,
      metrics: diagnostics.getMetrics(),
    };
    if (connected) {
      client.publish(reportTopic, JSON.stringify(report), { qos: 1 });
      return;
    }
    if (config.maxPendingReports === 0) return;
    pendingReports.push(report);
    if (pendingReports.length > config.maxPendingReports) pendingReports.splice(0, pendingReports.length - config.maxPendingReports);
  }

  function flushReports(): void {
    for (const report of pendingReports.splice(0)) client.publish(reportTopic, JSON.stringify(report), { qos: 1 });
    for (const reading of pendingVitals.splice(0)) client.publish(reportTopic, JSON.stringify(reading), { qos: 0 });
  }

  function sendVitals(vitals: DeviceVitals): void {
    const parsed = DeviceVitalsSchema.safeParse(vitals);
    if (!publishReports || !parsed.success) return;
    const reading: AgentVitalsReport = {
      format: AGENT_VITALS_FORMAT,
      version: AGENT_FORMAT_VERSION,
      deviceId: options.deviceId,
      agentId,
      measuredAt: new Date(now()).toISOString(),
      vitals: parsed.data,
      publishedMessages: diagnostics.getMetrics().publishedMessages,
    };
    if (connected) {
      client.publish(reportTopic, JSON.stringify(reading), { qos: 0 });
      return;
    }
    pendingVitals.push(reading);
    if (pendingVitals.length > MAX_PENDING_VITALS) pendingVitals.shift();
  }

  function scheduleVitals(): void {
    const source = options.vitals;
    if (!source || stopped) return;
    vitalsTimer = timers.setTimeout(() => {
      vitalsTimer = undefined;
      // A reader that throws or hangs costs one reading, never the connection.
      void Promise.resolve()
        .then(() => source.read())
        .then(sendVitals, () => undefined)
        .finally(scheduleVitals);
    }, source.intervalMs ?? DEFAULT_VITALS_INTERVAL_MS);
  }

  function flushCommands(): void {
    for (const command of commands.splice(0)) {
      client.publish(command.topic, command.payload, command.options);
      diagnostics.recordPublish({ queued: false });
    }
  }

  function scheduleReconnect(): void {
    if (stopped) return;
    const next = attempt + 1;
    if (config.maxReconnectAttempts !== -1 && next > config.maxReconnectAttempts) {
      stopped = true;
      for (const listener of listeners.gaveUp) listener(attempt);
      return;
    }
    const delay = computeReconnectDelay(next, config, random);
    retryTimer = timers.setTimeout(() => {
      retryTimer = undefined;
      attempt = next;
      void openConnection(isDeepAttempt(next, config));
    }, delay);
  }

  async function openConnection(deep: boolean): Promise<void> {
    if (stopped) return;
    attemptDeep = deep;
    if (options.getCredentials) {
      try {
        const credentials = await options.getCredentials({ deep, attempt });
        client.options.username = credentials.username;
        client.options.password = credentials.password;
        currentPassword = typeof credentials.password === "string" ? credentials.password : credentials.password?.toString("utf8");
      } catch (error) {
        diagnostics.recordConnectFailure({
          errorName: "CREDENTIALS_UNAVAILABLE",
          errorMessage: (error as Error).message,
          connackCode: null,
          protocolVersion,
          attemptNumber: attempt,
          deep,
        });
        scheduleReconnect();
        return;
      }
    }
    if (stopped) return;
    if (attempt === 0) client.connect();
    else client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
  }

  const agent: LinkscopeAgent = {
    deviceId: options.deviceId,
    agentId,
    config,
    client,
    diagnostics,
    async start() {
      if (started) return;
      started = true;
      scheduleVitals();
      await openConnection(false);
    },
    isConnected: () => connected,
    publish(topic, payload, publishOptions = {}) {
      if (connected) {
        client.publish(topic, payload, publishOptions);
        diagnostics.recordPublish({ queued: false });
        return "sent";
      }
      if (!config.enableCommandQueue || config.maxQueuedCommands === 0) {
        diagnostics.recordDroppedCommand();
        return "dropped";
      }
      commands.push({ topic, payload, options: publishOptions });
      diagnostics.recordPublish({ queued: true });
      if (commands.length > config.maxQueuedCommands) {
        commands.shift();
        diagnostics.recordDroppedCommand();
      }
      return "queued";
    },
    subscribe(topic, qos = 1) {
      subscriptions.set(topic, qos);
      if (connected) client.subscribe(topic, { qos });
    },
    queuedCommands: () => commands.length,
    reportSystemEvent(type, detail) {
      diagnostics.recordSystemEvent({ type, detail: detail ?? null });
    },
    reportVitals: (vitals) => sendVitals(vitals),
    exportJson: () => diagnostics.exportJson(),
    printSummary(write = (text) => console.log(text)) {
      write(diagnostics.formatSummary());
    },
    on(event, listener) {
      listeners[event].add(listener);
    },
    async stop(stopOptions = {}) {
      stopped = true;
      if (retryTimer !== undefined) timers.clearTimeout(retryTimer);
      if (vitalsTimer !== undefined) timers.clearTimeout(vitalsTimer);
      retryTimer = undefined;
      vitalsTimer = undefined;
      if (!started) return;
      await new Promise<void>((resolve) => {
        const fallback = setTimeout(() => {
          client.stream?.destroy();
          resolve();
        }, 2_000);
        client.end(stopOptions.force === true || !connected, () => {
          clearTimeout(fallback);
          resolve();
        });
      });
      connected = false;
    },
  };
  return agent;
}
