import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseAzureRecord } from "@/lib/sources/azure.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { recordConnectionEvents } from "./record-events.ts";

const testDb = useTestDatabase();

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;

/** An IoT Hub sequence number in the observed layout: FILETIME in hex digits 16–31, a counter at the end. */
function sequenceNumber(atMs: number, counter: number): string {
  const filetime = (BigInt(atMs) + FILETIME_EPOCH_OFFSET_MS) * 10_000n;
  return `${"0".repeat(16)}${filetime.toString(16).padStart(16, "0")}${"0".repeat(16)}${counter.toString(16).padStart(16, "0")}`;
}

/** Event Grid DeviceConnected / DeviceDisconnected: no session key, ordered by the sequence number. */
function iotHubEvent(deviceId: string, connected: boolean, atMs: number, counter: number): ConnectionEvent {
  const result = parseAzureRecord({
    id: randomUUID(),
    eventType: connected ? "Microsoft.Devices.DeviceConnected" : "Microsoft.Devices.DeviceDisconnected",
    eventTime: new Date(atMs).toISOString(),
    subject: `devices/${deviceId}`,
    data: { deviceConnectionStateEventInfo: { sequenceNumber: sequenceNumber(atMs, counter) }, hubName: "hub-1", deviceId },
  });
  if (!result.ok || !result.events[0]) throw new Error(`fixture did not parse: ${JSON.stringify(result)}`);
  return result.events[0];
}

/** Connect at t, disconnect 30 s later, every minute. */
function connectionPairs(deviceId: string, pairs: number, startMs: number): ConnectionEvent[] {
  return Array.from({ length: pairs }, (_, i) => [
    iotHubEvent(deviceId, true, startMs + i * 60_000, 2 * i),
    iotHubEvent(deviceId, false, startMs + i * 60_000 + 30_000, 2 * i + 1),
  ]).flat();
}

function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function sessionsOf(deviceId: string) {
  const rows = await testDb.db.session.findMany({ where: { deviceId }, orderBy: { startedAt: "asc" } });
  return rows.map((s) => ({
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    endInferred: s.endInferred,
    endReason: s.endReason,
    durationMs: s.durationMs,
  }));
}

async function deliverInBatches(events: ConnectionEvent[], batchSize: number): Promise<void> {
  for (let i = 0; i < events.length; i += batchSize) await recordConnectionEvents(testDb.db, events.slice(i, i + batchSize));
}

describe("sessions of keyless sources (Azure IoT Hub) delivered out of order", () => {
  const startMs = Date.UTC(2026, 10, 20, 8, 0, 0);

  it("gives the same closed sessions when every disconnect arrives before its own connect", async () => {
    const inOrder = `azure-in-order-${randomUUID().slice(0, 8)}`;
    const reversed = `azure-reversed-${randomUUID().slice(0, 8)}`;
    await deliverInBatches(connectionPairs(inOrder, 5, startMs), 2);
    await deliverInBatches(connectionPairs(reversed, 5, startMs).reverse(), 1);

    const expected = await sessionsOf(inOrder);
    expect(expected).toHaveLength(5);
    expect(expected.every((s) => !s.endInferred && s.durationMs === 30_000n)).toBe(true);
    expect(await sessionsOf(reversed)).toEqual(expected);
    const device = await testDb.db.device.findUniqueOrThrow({ where: { id: reversed } });
    expect(device.state).toBe("offline");
  });

  it("gives the same sessions when connect/disconnect pairs are shuffled across batches", async () => {
    const inOrder = `azure-in-order-${randomUUID().slice(0, 8)}`;
    const shuffled = `azure-shuffled-${randomUUID().slice(0, 8)}`;
    await deliverInBatches(connectionPairs(inOrder, 8, startMs), 3);
    for (const seed of [7, 11, 23]) {
      const deviceId = `${shuffled}-${seed}`;
      await deliverInBatches(seededShuffle(connectionPairs(deviceId, 8, startMs), seed), 3);
      expect(await sessionsOf(deviceId)).toEqual(await sessionsOf(inOrder));
    }
  });

  it("closes a session with an inferred end when its disconnect never arrives, and with the real end when it does", async () => {
    const deviceId = `azure-late-${randomUUID().slice(0, 8)}`;
    const [connect1, disconnect1, connect2] = connectionPairs(deviceId, 2, startMs) as [ConnectionEvent, ConnectionEvent, ConnectionEvent];
    await recordConnectionEvents(testDb.db, [connect1, connect2]);
    expect((await sessionsOf(deviceId))[0]).toMatchObject({ endedAt: connect2.occurredAt, endInferred: true });
    await recordConnectionEvents(testDb.db, [disconnect1]);
    expect((await sessionsOf(deviceId))[0]).toMatchObject({ endedAt: disconnect1.occurredAt, endInferred: false, durationMs: 30_000n });
  });
});
