import { beforeAll, describe, expect, it } from "vitest";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { makeConnectionEvent } from "@/lib/testing/factories.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { countRecentDeviceEvents, countRecentDeviceEventsInNode } from "./count-recent-device-events.ts";

const database = useTestDatabase();
const now = new Date("2026-11-22T12:00:00Z");
const since = new Date(now.getTime() - 86_400_000);

/** Gaps that sit on every edge the walk tests: ties, the 60 s chain and renewal bounds, and far apart. */
const GAPS_MS = [0, 0, 1, 5_000, 30_000, 59_999, 60_000, 60_001, 120_000, 1_200_000];

/** A small deterministic generator (a history that fails must fail again on the next run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)] as T;
}

/** Connects, drops, clean disconnects, refusals (some of them renewals' 401003 and 404104) and reports, on both range edges. */
function history(deviceId: string, seed: number, feeds: readonly (string | null)[]): ConnectionEvent[] {
  const next = random(seed);
  let at = since.getTime() - 180_000;
  const events: ConnectionEvent[] = [];
  for (let index = 0; index < 70; index += 1) {
    at += index === 30 ? since.getTime() - at : index === 69 ? now.getTime() - at : pick(next, GAPS_MS);
    const kind = pick(next, ["connected", "disconnected", "disconnected", "connect_failed", "device_report"] as const);
    const roll = next();
    const drop = kind === "disconnected" && roll >= 0.25;
    events.push(
      makeConnectionEvent({
        deviceId,
        kind,
        occurredAt: new Date(at),
        reason:
          kind === "connected" ? "connected" : kind === "connect_failed" ? "auth_failed" : drop ? "keepalive_timeout" : "client_disconnect",
        code:
          kind === "connect_failed" && roll < 0.4
            ? "azure:401003"
            : drop && roll > 0.7
              ? "azure:404104"
              : kind === "device_report"
                ? null
                : "x:1",
        source: "azure-iot-hub",
        feed: pick(next, feeds),
      }),
    );
  }
  return events;
}

/** The counts as the device page made them before: the newest `limit` events read and counted in Node. */
const countedInNode = (deviceId: string, limit: number) => countRecentDeviceEventsInNode(database.db, deviceId, { since, now }, limit);

const SEEDS = Array.from({ length: 40 }, (_, index) => index + 1);
const ONE_FEED = [FEEDS.azureConnectionsLog];
const TWO_FEEDS = [FEEDS.azureConnectionsLog, FEEDS.azureEventGrid];

beforeAll(async () => {
  await recordConnectionEvents(database.db, [
    ...SEEDS.flatMap((seed) => history(`one-feed-${seed}`, seed, [...ONE_FEED, null])),
    ...SEEDS.slice(0, 10).flatMap((seed) => history(`two-feeds-${seed}`, seed, TWO_FEEDS)),
  ]);
});

describe("countRecentDeviceEvents", () => {
  it.each(SEEDS)("counts history %i as the walk in Node counts it", async (seed) => {
    const deviceId = `one-feed-${seed}`;
    const counts = await countRecentDeviceEvents(database.db, deviceId, { since, now });
    expect(counts).toEqual(await countedInNode(deviceId, 20_000));
  });

  it.each(SEEDS.slice(0, 10))("counts only the newest events of history %i beyond the bound, as before", async (seed) => {
    const deviceId = `one-feed-${seed}`;
    const counts = await countRecentDeviceEvents(database.db, deviceId, { since, now }, 25);
    expect(counts).toEqual(await countedInNode(deviceId, 25));
    expect(counts.truncated).toBe(true);
  });

  it.each(SEEDS.slice(0, 10))("merges two feeds' records of one moment in history %i", async (seed) => {
    const deviceId = `two-feeds-${seed}`;
    const counts = await countRecentDeviceEvents(database.db, deviceId, { since, now });
    expect(counts).toEqual(await countedInNode(deviceId, 20_000));
  });

  it("counts nothing for a device without events in the range", async () => {
    expect(await countRecentDeviceEvents(database.db, "counted-nobody", { since, now })).toEqual({
      connects: 0,
      disconnects: 0,
      drops: 0,
      failedConnects: 0,
      truncated: false,
    });
  });
});
