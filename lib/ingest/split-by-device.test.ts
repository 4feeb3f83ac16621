import { describe, expect, it } from "vitest";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { splitByDevice } from "./split-by-device.ts";

function event(deviceId: string, seq: number): ConnectionEvent {
  return {
    ...EVENT_DEFAULTS,
    deviceId,
    kind: "connected",
    reason: "connected",
    initiator: "client",
    source: "emqx",
    occurredAt: new Date(1_700_000_000_000 + seq),
    dedupeKey: `${deviceId}:${seq}`,
    raw: {},
  };
}

describe("splitByDevice", () => {
  it("gives each device its events in message order and counts the message once", () => {
    const parts = splitByDevice({ topic: "t", events: [event("a", 1), event("b", 2), event("a", 3)], samples: [], deadLetter: null });
    expect(parts.map((part) => [part.key, part.events.map((e) => e.dedupeKey), part.records])).toEqual([
      ["a", ["a:1", "a:3"], 1],
      ["b", ["b:2"], 0],
    ]);
  });

  it("makes a one-event message one part of its device", () => {
    const only = event("a", 1);
    expect(splitByDevice({ topic: "t", events: [only], samples: [], deadLetter: null })).toEqual([
      { key: "a", events: [only], samples: [], deadLetters: [], records: 1 },
    ]);
  });

  it("keys a dead letter, and a message with nothing to store, by its topic", () => {
    const deadLetter = { source: "emqx", topic: "t/1", error: "not JSON", payload: "{" };
    expect(splitByDevice({ topic: "t/1", events: [], samples: [], deadLetter })).toEqual([
      { key: "topic:t/1", events: [], samples: [], deadLetters: [deadLetter], records: 1 },
    ]);
    expect(splitByDevice({ topic: "t/2", events: [], samples: [], deadLetter: null })).toEqual([
      { key: "topic:t/2", events: [], samples: [], deadLetters: [], records: 1 },
    ]);
  });
});
