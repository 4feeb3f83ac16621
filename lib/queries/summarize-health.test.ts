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
      sources: [],
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
      sources: [],
    });
  });

  it("reports each source and is not ok once a source has failed to commit for longer than the threshold", () => {
    const worker = (id: string, source: string, failingSeconds: number | null, backlog = 0) => ({
      id,
      source,
      brokerConnected: true,
      lagMs: 10,
      lastEventAt: secondsAgo(90),
      heartbeatAt: secondsAgo(1),
      lastCommitAt: secondsAgo(90),
      failingSince: failingSeconds === null ? null : secondsAgo(failingSeconds),
      backlog,
    });
    const recent = summarizeHealth({
      dbOk: true,
      now,
      workers: [worker("a", "emqx", 30, 400), worker("b", "linkscope-agent", null)],
      sourceFailingAfterMs: 60_000,
    });
    expect(recent.ok).toBe(true);
    expect(recent.sources).toEqual([
      {
        source: "emqx",
        status: "failing",
        workers: 1,
        lastCommitAt: secondsAgo(90),
        failingSince: secondsAgo(30),
        backlog: 400,
        inFlight: 400,
        inFlightLimit: null,
      },
      {
        source: "linkscope-agent",
        status: "ok",
        workers: 1,
        lastCommitAt: secondsAgo(90),
        failingSince: null,
        backlog: 0,
        inFlight: 0,
        inFlightLimit: null,
      },
    ]);
    const stuck = summarizeHealth({
      dbOk: true,
      now,
      workers: [worker("a", "emqx", 61), worker("b", "linkscope-agent", null)],
      sourceFailingAfterMs: 60_000,
    });
    expect(stuck.ok).toBe(false);
    expect(stuck.broker).toBe(true);
  });

  it("marks a source whose workers stopped beating as stale, and ignores a stale worker's old failure", () => {
    const health = summarizeHealth({
      dbOk: true,
      now,
      workers: [
        { id: "live", source: "aws-iot", brokerConnected: true, lagMs: 1, lastEventAt: null, heartbeatAt: secondsAgo(1) },
        {
          id: "gone",
          source: "emqx",
          brokerConnected: false,
          lagMs: null,
          lastEventAt: null,
          heartbeatAt: secondsAgo(600),
          failingSince: secondsAgo(900),
        },
      ],
    });
    expect(health.sources.map((source) => [source.source, source.status])).toEqual([
      ["aws-iot", "ok"],
      ["emqx", "stale"],
    ]);
    expect(health.ok).toBe(true);
  });

  it("sums the in-flight count and limit of a source's live workers", () => {
    const worker = (id: string, heartbeatSeconds: number, backlog: number, inFlightLimit: number | null) => ({
      id,
      source: "emqx",
      brokerConnected: true,
      lagMs: 1,
      lastEventAt: null,
      heartbeatAt: secondsAgo(heartbeatSeconds),
      backlog,
      inFlightLimit,
    });
    const health = summarizeHealth({
      dbOk: true,
      now,
      workers: [worker("a", 1, 120, 5000), worker("b", 2, 30, 2000), worker("old", 1, 5, null), worker("gone", 600, 900, 5000)],
    });
    expect(health.sources).toEqual([
      expect.objectContaining({ source: "emqx", workers: 3, backlog: 155, inFlight: 155, inFlightLimit: 7000 }),
    ]);
  });
});
