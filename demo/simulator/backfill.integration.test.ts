import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { FLEET_DEVICES } from "./fleet-profiles.ts";
import { backfillFleetHistory } from "./history-backfill.ts";
import { createSeededRandom } from "./seeded-random.ts";

const testDb = useTestDatabase();

describe("backfillFleetHistory against a real Postgres", () => {
  const to = new Date("2026-11-20T00:00:00.000Z");
  const window = { from: new Date(to.getTime() - 2 * 86_400_000), to };

  it("writes two days of history through the adapter and the writer, and a re-run inserts nothing", async () => {
    const first = await backfillFleetHistory(testDb.db, { ...window, random: createSeededRandom(11) });
    expect(first.messages).toBeGreaterThan(2_000);
    expect(first.deadLetters).toBe(0);
    // One canonical event per message: connects, disconnects and refused connects alike.
    expect(first.inserted).toBe(first.messages);

    const { db } = testDb;
    expect(await db.connectionEvent.count()).toBe(first.inserted);
    expect(await db.device.count()).toBe(FLEET_DEVICES.length);
    expect(await db.session.count()).toBeGreaterThan(500);
    // The history is consistent, so no session had to be closed by inference.
    expect(await db.session.count({ where: { endInferred: true } })).toBe(0);

    const meter = await db.device.findUniqueOrThrow({ where: { id: "meter-periodic-01" } });
    expect(meter).toMatchObject({ firmware: "meter-fw 3.2.1", region: "eu-west-1", network: "lte" });
    expect(meter.disconnectCount).toBeGreaterThan(40);
    // Every drop is a credential expiry, except the one the broker restart caused.
    const expiries = await db.session.count({ where: { deviceId: "meter-periodic-01", endReason: "not_authorized" } });
    expect(expiries).toBe(meter.disconnectCount - 1);

    const valve = await db.device.findUniqueOrThrow({ where: { id: "valve-badauth-01" } });
    expect(valve.connectCount).toBe(0);
    expect(valve.failedConnectCount).toBeGreaterThan(150);

    const awkward = await db.device.findUniqueOrThrow({ where: { id: "plant 7/line#2+ü" } });
    expect(awkward.connectCount).toBeGreaterThan(0);

    const takeovers = await db.connectionEvent.count({ where: { deviceId: "cam-dup-id-01", code: "emqx:takenover" } });
    expect(takeovers).toBeGreaterThan(50);
    const addresses = await db.session.groupBy({ by: ["clientIp"], where: { deviceId: "cam-dup-id-01" } });
    expect(addresses.map((a) => a.clientIp).sort()).toEqual(["10.0.0.4", "10.0.0.9"]);

    const online = await db.device.count({ where: { state: "online" } });
    expect(online).toBeGreaterThanOrEqual(FLEET_DEVICES.length - 3);

    const again = await backfillFleetHistory(testDb.db, { ...window, random: createSeededRandom(11) });
    expect(again).toMatchObject({ messages: first.messages, inserted: 0, duplicates: first.messages, deadLetters: 0 });
    expect(await db.connectionEvent.count()).toBe(first.inserted);
  });
});
