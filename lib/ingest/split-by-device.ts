import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { DeadLetterInput } from "./dead-letters.ts";

/** What one message became, for one device (or, for a dead letter or a message with nothing to store, its topic). */
export type MessagePart = {
  key: string;
  events: ConnectionEvent[];
  samples: DeviceSample[];
  deadLetters: DeadLetterInput[];
  /** 1 on the message's first part, 0 on the others: a message counts once in the source's received total. */
  records: number;
};

export type ParsedMessage = { topic: string; events: ConnectionEvent[]; samples: DeviceSample[]; deadLetter: DeadLetterInput | null };

/**
 * Pure: splits a parsed message by device, keeping each device's events in the message's order, so each part can
 * be written in its device's lane. A message always yields at least one part, so it is acknowledged only after a
 * commit, like every other message.
 */
export function splitByDevice(message: ParsedMessage): MessagePart[] {
  // Nearly every lifecycle message is one event of one device: one part, without the map.
  if (message.events.length === 1 && message.samples.length === 0 && !message.deadLetter)
    return [{ key: message.events[0]!.deviceId, events: message.events, samples: [], deadLetters: [], records: 1 }];
  const byKey = new Map<string, MessagePart>();
  const partOf = (key: string): MessagePart => {
    let part = byKey.get(key);
    if (!part) {
      part = { key, events: [], samples: [], deadLetters: [], records: byKey.size === 0 ? 1 : 0 };
      byKey.set(key, part);
    }
    return part;
  };
  for (const event of message.events) partOf(event.deviceId).events.push(event);
  for (const sample of message.samples) partOf(sample.deviceId).samples.push(sample);
  if (message.deadLetter) partOf(`topic:${message.topic}`).deadLetters.push(message.deadLetter);
  if (byKey.size === 0) partOf(`topic:${message.topic}`);
  return [...byKey.values()];
}
