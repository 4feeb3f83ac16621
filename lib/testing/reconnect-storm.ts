/** One AWS IoT presence event as delivered by a rule or on `$aws/events/presence/<eventType>/<clientId>`. */
export type AwsPresenceRecord = {
  clientId: string;
  timestamp: number;
  eventType: "connected" | "disconnected" | "connect_failed";
  sessionIdentifier?: string;
  versionNumber?: number;
  principalIdentifier: string;
  ipAddress: string;
  clientInitiatedDisconnect?: boolean;
  disconnectReason?: string;
  connectFailureReason?: string;
};

const DROP_REASONS = [
  "MQTT_KEEP_ALIVE_TIMEOUT",
  "CONNECTION_LOST",
  "SERVER_INITIATED_DISCONNECT",
  "MQTT_KEEP_ALIVE_TIMEOUT",
  "CONNECTION_LOST",
];

/**
 * A fleet-wide reconnect storm in AWS IoT presence format, about three events per device within `spreadMs`:
 * every device drops and reconnects, 40 % drop and reconnect a second time, 20 % have a refused connect in
 * between. Deterministic for a given prefix, so runs compare like with like.
 */
export function generateReconnectStorm(input: {
  devices: number;
  deviceIdPrefix: string;
  startMs: number;
  spreadMs: number;
}): AwsPresenceRecord[] {
  const records: AwsPresenceRecord[] = [];
  for (let d = 0; d < input.devices; d++) {
    const clientId = `${input.deviceIdPrefix}${String(d).padStart(6, "0")}`;
    const ip = `10.${(d >> 16) & 255}.${(d >> 8) & 255}.${d & 255}`;
    let at = input.startMs + Math.floor((d / input.devices) * input.spreadMs);
    const common = { clientId, principalIdentifier: `principal-${d}`, ipAddress: ip };
    const drop = (version: number, reason: string) =>
      records.push({
        ...common,
        timestamp: at,
        eventType: "disconnected",
        sessionIdentifier: `${clientId}-s${version}`,
        versionNumber: version,
        clientInitiatedDisconnect: false,
        disconnectReason: reason,
      });
    const connect = (version: number) =>
      records.push({
        ...common,
        timestamp: at,
        eventType: "connected",
        sessionIdentifier: `${clientId}-s${version + 1}`,
        versionNumber: version + 1,
      });

    drop(1, DROP_REASONS[d % DROP_REASONS.length] ?? "CONNECTION_LOST");
    at += 500 + (d % 1500);
    if (d % 5 === 0) {
      records.push({ ...common, timestamp: at, eventType: "connect_failed", connectFailureReason: "AUTHORIZATION_FAILURE" });
      at += 1000;
    }
    connect(1);
    if (d % 5 === 1 || d % 5 === 3) {
      at += 2000 + (d % 3000);
      drop(2, "CONNECTION_LOST");
      at += 700;
      connect(2);
    }
  }
  return records.sort((a, b) => a.timestamp - b.timestamp);
}

export function awsPresenceTopic(record: AwsPresenceRecord): string {
  return `$aws/events/presence/${record.eventType}/${record.clientId}`;
}
