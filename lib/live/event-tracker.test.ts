import { describe, expect, it } from "vitest";
import { createEventTracker, LATE_COMMIT_WINDOW_IDS, type EventReads } from "./event-tracker.ts";
import type { EventStamp } from "./list-events-after.ts";
import { MAX_CHANGED_DEVICES } from "./live-messages.ts";

/** An in-memory events table: rows become visible when "committed", in any id order. */
function createTable() {
  const rows: EventStamp[] = [];
  const reads: EventReads = {
    latestId: async () => rows.reduce<bigint | null>((max, row) => (max === null || row.id > max ? row.id : max), null),
    countAfter: async (afterId) => {
      const after = rows.filter((row) => row.id > afterId);
      return { count: after.length, maxId: after.reduce<bigint | null>((max, row) => (max === null || row.id > max ? row.id : max), null) };
    },
    listAfter: async (afterId, limit) =>
      rows
        .filter((row) => row.id > afterId)
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit),
  };
  const commit = (id: number, deviceId: string) => rows.push({ id: BigInt(id), deviceId, receivedAt: new Date(1_800_000_000_000 + id) });
  const remove = (id: number) =>
    rows.splice(
      rows.findIndex((row) => row.id === BigInt(id)),
      1,
    );
  return { reads, commit, remove };
}

describe("createEventTracker", () => {
  it("starts at the current position, then reports the devices of new events once", async () => {
    const table = createTable();
    table.commit(1, "old");
    const tracker = createEventTracker(table.reads);
    expect(await tracker.poll()).toMatchObject({ latestEventId: "1", devices: [], truncated: false });
    expect(await tracker.poll()).toBeNull();
    table.commit(2, "a");
    table.commit(3, "b");
    table.commit(4, "a");
    expect(await tracker.poll()).toEqual({
      latestEventId: "4",
      latestReceivedAt: new Date(1_800_000_000_004).toISOString(),
      devices: ["a", "b"],
      truncated: false,
    });
    expect(await tracker.poll()).toBeNull();
  });

  it("starts on an empty table", async () => {
    const table = createTable();
    const tracker = createEventTracker(table.reads);
    expect(await tracker.poll()).toMatchObject({ latestEventId: null, devices: [] });
    table.commit(1, "first");
    expect(await tracker.poll()).toMatchObject({ latestEventId: "1", devices: ["first"] });
  });

  it("finds a lower id committed after a higher one was already reported", async () => {
    const table = createTable();
    const tracker = createEventTracker(table.reads);
    await tracker.poll();
    table.commit(12, "fast-writer");
    expect(await tracker.poll()).toMatchObject({ devices: ["fast-writer"] });
    table.commit(10, "slow-writer");
    table.commit(11, "slow-writer");
    expect(await tracker.poll()).toMatchObject({ latestEventId: "12", devices: ["slow-writer"] });
    expect(await tracker.poll()).toBeNull();
  });

  it("caps the device list and says so", async () => {
    const table = createTable();
    const tracker = createEventTracker(table.reads);
    await tracker.poll();
    for (let i = 1; i <= MAX_CHANGED_DEVICES + 5; i++) table.commit(i, `device-${i}`);
    const change = await tracker.poll();
    expect(change?.devices).toHaveLength(MAX_CHANGED_DEVICES);
    expect(change?.truncated).toBe(true);
  });

  it("slides its window and survives deletions without reporting them", async () => {
    const table = createTable();
    const tracker = createEventTracker(table.reads);
    await tracker.poll();
    const far = Number(LATE_COMMIT_WINDOW_IDS) * 2;
    table.commit(1, "a");
    table.commit(far, "b");
    expect(await tracker.poll()).toMatchObject({ devices: ["a", "b"] });
    table.remove(far);
    expect(await tracker.poll()).toBeNull();
    table.commit(far + 1, "c");
    expect(await tracker.poll()).toMatchObject({ devices: ["c"] });
  });
});
