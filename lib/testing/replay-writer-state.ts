import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { foldDeviceState, type DeviceStateRow, type DeviceStateUpdate, type GaugeScope } from "@/lib/ingest/device-state.ts";
import { compareEvents } from "@/lib/ingest/session-statements.ts";

/** A device row as the writer leaves it (the columns it writes; timestamps of insertion aside). */
export type ReplayedDevice = {
  row: DeviceStateRow;
  source: string;
  brokerNode: string | null;
  firstSeenAt: Date;
  connects: number;
  disconnects: number;
  failed: number;
  /** fleet_connected_devices: where the device is counted, since when; null when not counted. */
  counted: (GaugeScope & { since: Date }) | null;
};

export type GaugeMinute = { bucket: Date; source: string; brokerNode: string; delta: number };

/**
 * What recordIngestBatch would leave behind for events delivered in `batches`, computed in memory with the writer's
 * own fold (foldDeviceState over each batch's newly stored events in compareEvents order): the events it stores (in
 * insertion order), the devices' state and counters, and the connected gauge's minute rows. Device state depends on
 * how late events fall into batches, so the replay keeps the batches; sessions and rollups do not, and are derived
 * in SQL from the stored events (derive-ingest-tables.ts).
 */
export class WriterReplay {
  readonly devices = new Map<string, ReplayedDevice>();
  private readonly storedKeys = new Set<string>();
  private readonly gauge = new Map<string, GaugeMinute>();

  /** Applies one delivered batch; returns the events the writer would insert, in insertion order. */
  applyBatch(batch: readonly ConnectionEvent[]): ConnectionEvent[] {
    const unique = new Map<string, ConnectionEvent>();
    for (const event of batch) if (!unique.has(event.dedupeKey)) unique.set(event.dedupeKey, event);
    for (const event of unique.values()) this.addDeviceIfNew(event);

    const inserted = [...unique.values()].filter((event) => !this.storedKeys.has(event.dedupeKey));
    for (const event of inserted) this.storedKeys.add(event.dedupeKey);
    const byDevice = new Map<string, ConnectionEvent[]>();
    for (const event of [...inserted].sort(compareEvents)) {
      const list = byDevice.get(event.deviceId) ?? [];
      list.push(event);
      byDevice.set(event.deviceId, list);
    }
    const batchGauge = new Map<string, GaugeMinute>();
    for (const [id, events] of byDevice) {
      const device = this.devices.get(id);
      if (!device) throw new Error(`replay: device ${id} was never inserted`);
      const update = foldDeviceState(device.row, events);
      this.applyUpdate(device, update, events);
      for (const change of update.gaugeChanges) {
        const bucket = new Date(Math.floor(change.at.getTime() / 60_000) * 60_000);
        const key = `${bucket.getTime()}|${change.source}|${change.brokerNode}`;
        const entry = batchGauge.get(key) ?? { bucket, source: change.source, brokerNode: change.brokerNode, delta: 0 };
        entry.delta += change.delta;
        batchGauge.set(key, entry);
      }
    }
    // The writer upserts only a batch's non-zero minutes, so a row can exist whose deltas later sum to zero.
    for (const [key, entry] of batchGauge) {
      if (entry.delta === 0) continue;
      const total = this.gauge.get(key);
      if (total) total.delta += entry.delta;
      else this.gauge.set(key, { ...entry });
    }
    return inserted;
  }

  gaugeMinutes(): GaugeMinute[] {
    return [...this.gauge.values()];
  }

  private addDeviceIfNew(event: ConnectionEvent): void {
    if (this.devices.has(event.deviceId)) return;
    this.devices.set(event.deviceId, {
      row: {
        id: event.deviceId,
        state: "unknown",
        current_session_key: null,
        state_occurred_at: null,
        state_ordering: null,
        last_connected_at: null,
        last_disconnected_at: null,
        last_reason: null,
        last_code: null,
        last_client_ip: null,
        connected_source: null,
        connected_broker_node: null,
      },
      source: event.source,
      brokerNode: event.brokerNode,
      firstSeenAt: event.occurredAt,
      connects: 0,
      disconnects: 0,
      failed: 0,
      counted: null,
    });
  }

  private applyUpdate(device: ReplayedDevice, update: DeviceStateUpdate, events: ConnectionEvent[]): void {
    device.connects += update.connects;
    device.disconnects += update.disconnects;
    device.failed += update.failed;
    for (const event of events) if (event.occurredAt < device.firstSeenAt) device.firstSeenAt = event.occurredAt;
    if (update.gaugeChanges.length > 0) {
      const lastRise = update.gaugeChanges.findLast((change) => change.delta === 1);
      if (update.connectedVia === null) device.counted = null;
      else if (lastRise) device.counted = { ...update.connectedVia, since: lastRise.at };
    }
    device.row = {
      id: device.row.id,
      state: update.state,
      current_session_key: update.currentSessionKey,
      state_occurred_at: update.stateOccurredAt,
      state_ordering: update.stateOrdering,
      last_connected_at: update.lastConnectedAt,
      last_disconnected_at: update.lastDisconnectedAt,
      last_reason: update.lastReason,
      last_code: update.lastCode,
      last_client_ip: update.lastClientIp,
      connected_source: device.counted?.source ?? null,
      connected_broker_node: device.counted?.brokerNode ?? null,
    };
  }
}
