/**
 * The input shapes (feeds) a source adapter reads. One platform is often fed twice (AWS's lifecycle topic and its
 * CloudWatch log, Event Grid and the Connections log): both feeds carry the same `source`, each with its own dedupe
 * key, so one moment is stored once per feed. The feed on the event lets the diagnosis count it once (decision 075).
 */
export const FEEDS = {
  awsPresence: "aws-iot:presence",
  awsCloudWatch: "aws-iot:cloudwatch",
  azureEventGrid: "azure-iot-hub:event-grid",
  azureRouting: "azure-iot-hub:routing",
  azureConnectionsLog: "azure-iot-hub:connections-log",
  egMqttEventGrid: "azure-event-grid-mqtt:event-grid",
  emqxSys: "emqx:sys",
  emqxRuleEvents: "emqx:rule-events",
  emqxWebHook: "emqx:web-hook",
  mosquittoLogTopic: "mosquitto:log-topic",
  mosquittoLogFile: "mosquitto:log-file",
  hivemqEventLog: "hivemq:event-log",
  aedesSys: "aedes:sys",
  agentReport: "linkscope-agent:report",
  deviceReport: "device-report:webhook",
  deviceSystemLog: "device-system-log:upload",
  collectorExport: "mqtt-diagnostics-collector:upload",
} as const;
export type Feed = (typeof FEEDS)[keyof typeof FEEDS];

/**
 * Of one moment two feeds logged, the record kept: the one that says more (lib/events/merge-feed-records.ts), then the
 * feed listed first here. Keeping one feed's records wherever they say as much keeps the device's timeline on one
 * clock: a disconnect from one feed and the reconnect from the other can be stamped out of order.
 */
const FEED_PRECEDENCE: readonly string[] = [
  FEEDS.awsPresence,
  FEEDS.awsCloudWatch,
  FEEDS.azureConnectionsLog,
  FEEDS.azureEventGrid,
  FEEDS.azureRouting,
  FEEDS.emqxSys,
  FEEDS.emqxRuleEvents,
  FEEDS.emqxWebHook,
  FEEDS.mosquittoLogTopic,
  FEEDS.mosquittoLogFile,
];

export function feedPrecedence(feed: string): number {
  const index = FEED_PRECEDENCE.indexOf(feed);
  return index === -1 ? FEED_PRECEDENCE.length : index;
}

/**
 * How far apart two feeds may stamp one moment: the coarser stamp of each (a Connections log or Mosquitto log time is
 * whole seconds, truncated), plus how late a feed may stamp it (IoT Hub's Event Grid connection events are a 60-second
 * snapshot of the state, lifecycle-formats.md §2.1), plus the skew between two services of one platform writing
 * their own record of it.
 */
const STAMP_RESOLUTION_MS: Partial<Record<string, number>> = {
  [FEEDS.azureConnectionsLog]: 1_000,
  [FEEDS.mosquittoLogTopic]: 1_000,
  [FEEDS.mosquittoLogFile]: 1_000,
};
const STAMPED_LATE_BY_MS: Partial<Record<string, number>> = {
  [FEEDS.azureEventGrid]: 60_000,
  [FEEDS.azureRouting]: 60_000,
};
/**
 * No reference bounds how far apart two services of one platform stamp their records of one moment (AWS calls the
 * presence timestamp "an approximation"). Erring wide costs little: merging is one to one and in each feed's order.
 */
const CROSS_SERVICE_SKEW_MS = 2_000;

export function sameMomentToleranceMs(a: string, b: string): number {
  return (
    (STAMP_RESOLUTION_MS[a] ?? 1) +
    (STAMP_RESOLUTION_MS[b] ?? 1) +
    Math.max(STAMPED_LATE_BY_MS[a] ?? 0, STAMPED_LATE_BY_MS[b] ?? 0) +
    CROSS_SERVICE_SKEW_MS
  );
}

/** The widest tolerance of any two feeds: how far around a record another feed's record of its moment may lie. */
export const WIDEST_SAME_MOMENT_TOLERANCE_MS = Math.max(
  ...Object.values(FEEDS).flatMap((a) => Object.values(FEEDS).map((b) => sameMomentToleranceMs(a, b))),
);
