import { describe, expect, it } from "vitest";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { DAY_MS } from "@/lib/time/durations.ts";
import { refuseEventsFromTheFuture } from "./future-events.ts";

const receivedAt = Date.UTC(2026, 11, 4, 12);

describe("refuseEventsFromTheFuture", () => {
  it("keeps events up to ten years after their receipt (clock skew, fixtures and replays dated ahead)", () => {
    const dates = [receivedAt + DAY_MS, Date.UTC(2027, 0, 15), Date.UTC(2036, 0, 1)];
    const result = { ok: true as const, events: dates.map((at) => makeConnectionEvent({ occurredAt: new Date(at) })) };
    expect(refuseEventsFromTheFuture(result, receivedAt)).toBe(result);
  });

  it("refuses the input when one of its events is dated later, with both times in the reason", () => {
    const events = [
      makeConnectionEvent({ occurredAt: new Date(receivedAt) }),
      makeConnectionEvent({ occurredAt: new Date(Date.UTC(2106, 1, 7)) }),
    ];
    expect(refuseEventsFromTheFuture({ ok: true, events }, receivedAt)).toEqual({
      ok: false,
      error:
        "event time 2106-02-07T00:00:00.000Z is more than ten years after it was received (2026-12-04T12:00:00.000Z): the clock that wrote it is wrong",
    });
  });

  it("passes a rejection through", () => {
    expect(refuseEventsFromTheFuture({ ok: false, error: "no" }, receivedAt)).toEqual({ ok: false, error: "no" });
  });
});
