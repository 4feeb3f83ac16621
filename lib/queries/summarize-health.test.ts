import { describe, expect, it } from "vitest";
import { summarizeHealth } from "./summarize-health.ts";

const now = new Date("2026-11-22T12:00:00Z");
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe("summarizeHealth", () => {
  it("is healthy with a fresh heartbeat from a worker connected to the broker", () => {
    const health = summarizeHealth({
      dbOk: true,
      now,
      workers: [{ id: "w1", brokerConnected: true, lagMs: 120, lastEventAt: secondsAgo(2), heartbeatAt: secondsAgo(3) }],
    });
    expect(health).toEqual({
      ok: true,
      db: true,
      broker: true,
      worker: { connected: true, lagMs: 120, lastEventAt: secondsAgo(2), heartbeatAt: secondsAgo(3) },
    });
  });

  it("treats a heartbeat of 15 s or older as disconnected but keeps lastEventAt", () => {
    const health = summarizeHealth({
      dbOk: true,
      now,
      workers: [{ id: "w1", brokerConnected: true, lagMs: 10, lastEventAt: secondsAgo(40), heartbeatAt: secondsAgo(15) }],
    });
    expect(health.ok).toBe(false);
    expect(health.broker).toBe(false);
    expect(health.worker).toEqual({ connected: false, lagMs: null, lastEventAt: secondsAgo(40), heartbeatAt: secondsAgo(15) });
  });

  it("is not connected when the fresh worker lost the broker", () => {
    const health = summarizeHealth({
      dbOk: true,
      now,
      workers: [{ id: "w1", brokerConnected: false, lagMs: null, lastEventAt: null, heartbeatAt: secondsAgo(1) }],
    });
    expect(health.broker).toBe(false);
    expect(health.worker.connected).toBe(false);
  });

  it("reports the worst lag among connected workers and the latest event of all", () => {
    const health = summarizeHealth({
      dbOk: true,
      now,
      workers: [
        { id: "w1", brokerConnected: true, lagMs: 50, lastEventAt: secondsAgo(5), heartbeatAt: secondsAgo(1) },
        { id: "w2", brokerConnected: true, lagMs: 900, lastEventAt: secondsAgo(1), heartbeatAt: secondsAgo(2) },
      ],
    });
    expect(health.worker.lagMs).toBe(900);
    expect(health.worker.lastEventAt).toEqual(secondsAgo(1));
  });

  it("is not ok without a database, and without any worker row", () => {
    const health = summarizeHealth({ dbOk: false, now, workers: [] });
    expect(health).toEqual({
      ok: false,
      db: false,
      broker: false,
      worker: { connected: false, lagMs: null, lastEventAt: null, heartbeatAt: null },
    });
  });
});
