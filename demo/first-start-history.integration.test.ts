import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { loadHistoryOnce } from "./first-start-history.ts";
import { FLEET_DEVICES } from "./simulator/fleet-profiles.ts";
import { backfillFleetHistory } from "./simulator/history-backfill.ts";

const testDb = useTestDatabase();
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "linkscope-history-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("the first start's history", () => {
  it("is finished by the next start when the first one failed part-way, with the same window, and loaded once", async () => {
    const { db } = testDb;
    const options = { dataDir, databaseUrl: testDb.url, days: 1, now: new Date("2026-11-20T00:00:00.000Z") };
    const windows: { from: Date; to: Date }[] = [];
    // The first start writes the events, then fails before the devices' metadata (as at load 28, on Prisma's 5 s timeout).
    const failed = loadHistoryOnce(db, options, async (window) => {
      windows.push(window);
      await backfillFleetHistory(db, { ...window, devices: FLEET_DEVICES.slice(0, 5) });
      await db.device.updateMany({ data: { firmware: null } });
      throw new Error("transaction timed out");
    });
    await expect(failed).rejects.toThrow("transaction timed out");
    expect(await db.connectionEvent.count()).toBeGreaterThan(0);

    const later = { ...options, now: new Date("2026-11-21T00:00:00.000Z") };
    const resumed = await loadHistoryOnce(db, later, async (window) => {
      windows.push(window);
      await backfillFleetHistory(db, window);
    });
    expect(resumed).toBe("resumed");
    expect(windows[1]).toEqual(windows[0]);
    expect(await db.device.count({ where: { firmware: null } })).toBe(0);
    expect(await db.device.count()).toBe(FLEET_DEVICES.length);

    const third = await loadHistoryOnce(db, later, () => Promise.reject(new Error("must not load again")));
    expect(third).toBe("present");
  });
});
