import type { ConnectionEvent } from "@/lib/events/connection-event.ts";

/** A stored connect or disconnect without a session key, as the session rebuild reads it back. */
export type KeylessEvent = Pick<
  ConnectionEvent,
  "deviceId" | "kind" | "occurredAt" | "reason" | "code" | "clientIp" | "ordering" | "dedupeKey"
> & { id: bigint };

export type RebuiltSession = {
  deviceId: string;
  sessionKey: string;
  startedAt: Date;
  clientIp: string | null;
  startEventId: bigint;
  endedAt: Date | null;
  endReason: string | null;
  endCode: string | null;
  endEventId: bigint | null;
  endInferred: boolean;
};

/** A keyless connect names its session after itself, so a rebuild finds the same row again. */
export function keylessSessionKey(dedupeKey: string): string {
  return `event:${dedupeKey}`;
}

/**
 * The sessions of one device from its keyless events, in the order the source says they happened (ordering key
 * such as IoT Hub's sequence number, else time; a disconnect before a connect at the same instant): a disconnect
 * closes the open session, a connect while one is open ends it as inferred. Pure, so a late event rebuilds the
 * affected window the same way whatever the arrival order was.
 */
export function foldKeylessSessions(sortedEvents: readonly KeylessEvent[]): RebuiltSession[] {
  const sessions: RebuiltSession[] = [];
  let open: RebuiltSession | null = null;
  for (const event of sortedEvents) {
    if (event.kind === "connected") {
      if (open)
        Object.assign(open, { endedAt: event.occurredAt, endReason: "unknown", endCode: null, endEventId: null, endInferred: true });
      open = {
        deviceId: event.deviceId,
        sessionKey: keylessSessionKey(event.dedupeKey),
        startedAt: event.occurredAt,
        clientIp: event.clientIp,
        startEventId: event.id,
        endedAt: null,
        endReason: null,
        endCode: null,
        endEventId: null,
        endInferred: false,
      };
      sessions.push(open);
    } else if (event.kind === "disconnected" && open) {
      Object.assign(open, {
        endedAt: event.occurredAt,
        endReason: event.reason,
        endCode: event.code,
        endEventId: event.id,
        endInferred: false,
      });
      open = null;
    }
  }
  return sessions;
}
