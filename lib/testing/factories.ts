import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "@/lib/db/client.ts";
import type { DiagnosisEvent } from "@/lib/diagnosis/types.ts";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";

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
