import { describe, expect, it } from "vitest";
import { createBatchLanes, laneOf } from "./batch-lanes.ts";

type Item = { key: string; seq: number };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("batch lanes", () => {
  it("writes each key's items in push order while other lanes write at the same time", async () => {
    const written: Item[] = [];
    let writing = 0;
    let mostAtOnce = 0;
    const lanes = createBatchLanes<Item>({
      lanes: 4,
      maxBatch: 7,
      lingerMs: 1,
      write: async (batch) => {
        mostAtOnce = Math.max(mostAtOnce, ++writing);
        await new Promise((resolve) => setTimeout(resolve, 1 + (batch.length % 3)));
        written.push(...batch);
        writing -= 1;
      },
    });
    const keys = Array.from({ length: 12 }, (_, i) => `device-${i}`);
    for (let seq = 0; seq < 300; seq++) {
      const key = keys[seq % keys.length]!;
      lanes.push(key, { key, seq });
    }
    await lanes.drain();
    expect(written).toHaveLength(300);
    for (const key of keys) {
      const seqs = written.filter((item) => item.key === key).map((item) => item.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(lanes.size()).toBe(0);
  });

  it("under load writes what queued during the previous write as one batch; when quiet, waits at most the linger", async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const lanes = createBatchLanes<number>({
      lanes: 1,
      maxBatch: 100,
      lingerMs: 5,
      write: async (batch) => {
        batches.push(batch);
        if (batches.length === 1) await gate.promise;
      },
    });
    lanes.push("d", 0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(batches).toEqual([[0]]);
    for (let i = 1; i <= 250; i++) lanes.push("d", i);
    expect(lanes.size()).toBe(251);
    gate.resolve();
    await lanes.drain();
    expect(batches.map((batch) => batch.length)).toEqual([1, 100, 100, 50]);
    expect(batches.flat()).toEqual(Array.from({ length: 251 }, (_, i) => i));
  });

  it("stops a lane whose write rejects and leaves its items unwritten; other lanes go on", async () => {
    const written: string[] = [];
    const stopped: number[] = [];
    const failing = laneOf("bad", 2);
    const good = ["a", "b", "c", "d", "e"].find((key) => laneOf(key, 2) !== failing)!;
    const lanes = createBatchLanes<string>({
      lanes: 2,
      maxBatch: 10,
      lingerMs: 1,
      write: async (batch, lane) => {
        if (lane === failing) throw new Error("stopped");
        written.push(...batch);
      },
      onLaneStopped: (lane) => stopped.push(lane),
    });
    lanes.push("bad", "x1");
    lanes.push(good, "y1");
    await lanes.drain();
    lanes.push("bad", "x2");
    await lanes.drain();
    expect(written).toEqual(["y1"]);
    expect(stopped).toEqual([failing]);
    expect(lanes.size()).toBe(1);
  });

  it("spreads keys over lanes and keeps a key on one lane", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[laneOf(`sensor-${String(i).padStart(4, "0")}`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(laneOf("sensor-0001", 4)).toBe(laneOf("sensor-0001", 4));
    expect(laneOf("anything", 1)).toBe(0);
  });
});
