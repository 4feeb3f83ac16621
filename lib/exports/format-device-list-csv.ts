import { toJsonText } from "@/lib/json/json-text.ts";
import type { DeviceListItem } from "@/lib/queries/search-devices.ts";
import { formatCsvRow } from "./csv.ts";
import { redactSecrets } from "@/lib/security/redact.ts";

export const DEVICE_LIST_CSV_COLUMNS = [
  "id",
  "state",
  "state_since",
  "last_reason",
  "last_code",
  "source",
  "broker_node",
  "firmware",
  "region",
  "network",
  "labels",
  "connects",
  "disconnects",
  "failed_connects",
  "first_seen",
  "last_connected",
  "last_disconnected",
] as const;

export function formatDeviceListCsvHeader(): string {
  return formatCsvRow(DEVICE_LIST_CSV_COLUMNS);
}

/**
 * One device as a CSV line. The export carries no IP addresses: the device's last client IP is not a column,
 * and IPs or credentials inside the other text (broker node names like `emqx@10.0.0.1`, labels) are redacted.
 * The ID is the device's identity and stays as it is.
 */
export function formatDeviceListCsvRow(device: DeviceListItem): string {
  const text = redactSecrets(
    {
      lastCode: device.lastCode,
      source: device.source,
      brokerNode: device.brokerNode,
      firmware: device.firmware,
      region: device.region,
      network: device.network,
      labels: device.labels ?? {},
    },
    { redactIps: true },
  );
  return formatCsvRow([
    device.id,
    device.state,
    device.stateOccurredAt?.toISOString() ?? null,
    device.lastReason,
    text.lastCode,
    text.source,
    text.brokerNode,
    text.firmware,
    text.region,
    text.network,
    toJsonText(text.labels),
    device.connectCount,
    device.disconnectCount,
    device.failedConnectCount,
    device.firstSeenAt.toISOString(),
    device.lastConnectedAt?.toISOString() ?? null,
    device.lastDisconnectedAt?.toISOString() ?? null,
  ]);
}

/** `devices-2026-11-22.csv` (UTC date of the export). */
export function buildDeviceListExportFileName(now: Date): string {
  return `devices-${now.toISOString().slice(0, 10)}.csv`;
}
