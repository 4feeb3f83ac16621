import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseAwsCloudWatchEntry } from "@/lib/sources/aws-iot.ts";
import { parseEventGridEvent } from "@/lib/sources/azure.ts";
import type { DropCause, Step } from "./timeline.ts";

/**
 * The second feed of a platform fed twice (decision 075), rendered through its real adapter from the same timeline as
 * renderTimeline's first feed: AWS IoT's CloudWatch AWSIotLogsV2 log beside the lifecycle topic, IoT Hub's Event Grid
 * connection events beside the Connections log.
 */

function adapted(result: AdapterResult): ConnectionEvent[] {
  if (!result.ok) throw new Error(result.error);
  return result.events;
}

/** How much later (or earlier) the second feed stamps the n-th step: varied, as two services' records are. */
const skewOf = (n: number, spreadMs: number, earliestMs: number) => earliestMs + ((n * 7_919) % spreadMs);

const AWS_DISCONNECT_REASONS: Partial<Record<DropCause, string>> = {
  network: "CONNECTION_LOST",
  keepalive: "MQTT_KEEP_ALIVE_TIMEOUT",
  idle: "CONNECTION_LOST",
  takeover: "DUPLICATE_CLIENTID",
  clean: "CLIENT_INITIATED_DISCONNECT",
};

/** The steps as CloudWatch AWSIotLogsV2 entries (lifecycle-formats.md §1.5), stamped −0.3 … +0.6 s from the lifecycle events. */
export function renderCloudWatch(deviceId: string, steps: readonly Step[]): ConnectionEvent[] {
  return steps.flatMap((step, n) => {
    if (step.type === "system") return [];
    const stamp = new Date(step.at + skewOf(n, 900, -300)).toISOString().replace("T", " ").replace("Z", "");
    const common = {
      timestamp: stamp,
      traceId: `7f1a2b3c-0000-4000-8000-${String(n).padStart(12, "0")}`,
      accountId: "123456789012",
      protocol: "MQTT",
      clientId: deviceId,
      principalId: "145179c40e2219e18a909d896a5340b74cf97a39641beec2fc3eeafc5a932167",
      sourceIp: step.ip,
      sourcePort: 40_000 + n,
    };
    if (step.type === "connect")
      return adapted(parseAwsCloudWatchEntry({ ...common, logLevel: "INFO", status: "Success", eventType: "Connect" }));
    if (step.type === "refuse")
      return adapted(
        parseAwsCloudWatchEntry({ ...common, logLevel: "ERROR", status: "Failure", eventType: "Connect", reason: "AUTHORIZATION_FAILURE" }),
      );
    const reason = AWS_DISCONNECT_REASONS[step.cause];
    if (!reason) throw new Error(`no CloudWatch disconnect reason for ${step.cause}`);
    return adapted(
      parseAwsCloudWatchEntry({
        ...common,
        logLevel: step.cause === "clean" ? "INFO" : "ERROR",
        status: "Success",
        eventType: "Disconnect",
        disconnectReason: reason,
      }),
    );
  });
}

/**
 * The steps as Event Grid DeviceConnected / DeviceDisconnected events (§2.1), 0.2 … 5.2 s after the Connections log's
 * records: Event Grid carries no refusals and no reasons.
 */
export function renderEventGrid(deviceId: string, steps: readonly Step[]): ConnectionEvent[] {
  let sequence = 0;
  return steps.flatMap((step, n) => {
    if (step.type !== "connect" && step.type !== "drop") return [];
    sequence += 1;
    return adapted(
      parseEventGridEvent({
        id: `eg-${sequence}`,
        topic: "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/FLEET/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-1",
        subject: `devices/${deviceId}`,
        eventType: step.type === "connect" ? "Microsoft.Devices.DeviceConnected" : "Microsoft.Devices.DeviceDisconnected",
        eventTime: new Date(step.at + skewOf(n, 5_000, 200)).toISOString(),
        data: {
          deviceConnectionStateEventInfo: { sequenceNumber: `000000000000000001D4132452F67CE2${String(sequence).padStart(32, "0")}` },
          hubName: "HUB-1",
          deviceId,
        },
        dataVersion: "1",
        metadataVersion: "1",
      }),
    );
  });
}
