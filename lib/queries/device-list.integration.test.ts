import { beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/lib/db/client.ts";
import { DEVICE_SORTS, SORT_DIRECTIONS, type DeviceListFilter, type DeviceState } from "@/lib/devices/device-list-params.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import { DEVICE_LIST_CSV_COLUMNS } from "@/lib/exports/format-device-list-csv.ts";
import { streamDeviceListCsv } from "@/lib/exports/stream-device-list-csv.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { countDevices } from "./count-devices.ts";
import { decodeDeviceListCursor } from "./cursor.ts";
import { searchDevices, type DeviceListItem } from "./search-devices.ts";

type SeedDevice = {
  id: string;
  state: DeviceState;
  stateOccurredAt: Date | null;
  lastReason: Reason | null;
  source: string;
  region: string | null;
  disconnectCount: number;
};

const STATES: DeviceState[] = ["online", "offline", "unknown"];
const REASONS: (Reason | null)[] = [null, "keepalive_timeout", "connection_lost", "auth_failed"];
const base = Date.parse("2026-11-22T00:00:00Z");

// Wildcard IDs, decoys an unescaped LIKE pattern would also match, and a formula-looking ID for the CSV.
const SPECIAL_IDS = ["Lab_1%", "lab_1%-annex", "labX1Y", "xlab_1%", "a\\b", "aXb", "a_b", "=HYPERLINK(1)"];

const seed: SeedDevice[] = [...SPECIAL_IDS, ...Array.from({ length: 60 }, (_, index) => `sensor-${String(index).padStart(3, "0")}`)].map(
  (id, index) => ({
    id,
    state: STATES[index % 3] ?? "unknown",
    // Repeated times, counts and reasons: ties that keyset paging must get through.
    stateOccurredAt: index % 5 === 0 ? null : new Date(base + (index % 7) * 60_000),
    lastReason: REASONS[index % 4] ?? null,
    source: index % 2 === 0 ? "emqx" : "hivemq",
    region: index % 5 === 1 ? "eu-west" : null,
    disconnectCount: index % 4,
  }),
);

const database = useTestDatabase();

beforeAll(async () => {
  await database.db.$executeRaw`
    INSERT INTO devices (id, state, state_occurred_at, last_reason, source, broker_node, region, disconnect_count, labels)
    VALUES ${Prisma.join(
      seed.map(
        (device) =>
          Prisma.sql`(${device.id}, CAST(${device.state} AS "DeviceState"), ${device.stateOccurredAt}, CAST(${device.lastReason} AS "Reason"),
                      ${device.source}, 'emqx@10.1.2.3', ${device.region}, ${device.disconnectCount}, '{"line":"=2+3","token":"s3cret"}'::jsonb)`,
      ),
    )}`;
});

const filterOf = (input: Partial<DeviceListFilter>): DeviceListFilter => ({ match: "substring", sort: "id", dir: "asc", ...input });

async function listAll(filter: DeviceListFilter, limit: number): Promise<DeviceListItem[]> {
  const all: DeviceListItem[] = [];
  let cursor: string | null = null;
  do {
    const page = await searchDevices(database.db, {
      ...filter,
      limit,
      cursor: cursor ? (decodeDeviceListCursor(cursor) ?? undefined) : undefined,
    });
    all.push(...page.devices);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

describe("device list search", () => {
  it("prefix mode matches the start of the ID only, case-insensitively, with % and _ literal", async () => {
    const page = await searchDevices(database.db, { query: "LAB_1%", match: "prefix", limit: 50, includeTotal: true });
    expect(page.devices.map((device) => device.id)).toEqual(["Lab_1%", "lab_1%-annex"]);
    expect(page.total).toBe(2);
  });

  it("substring mode also finds the text inside IDs, ranking exact and prefix matches first", async () => {
    const page = await searchDevices(database.db, { query: "lab_1%", limit: 50, includeTotal: true });
    expect(page.devices.map((device) => [device.id, device.matchRank])).toEqual([
      ["Lab_1%", 1],
      ["lab_1%-annex", 1],
      ["xlab_1%", 2],
    ]);
    expect(page.total).toBe(3);
    const exact = await searchDevices(database.db, { query: "Lab_1%", limit: 50 });
    expect(exact.devices[0]).toMatchObject({ id: "Lab_1%", matchRank: 0 });
  });

  it("treats the backslash and _ literally", async () => {
    expect((await searchDevices(database.db, { query: "a\\b", limit: 50 })).devices.map((device) => device.id)).toEqual(["a\\b"]);
    expect((await searchDevices(database.db, { query: "a_b", limit: 50 })).devices.map((device) => device.id)).toEqual(["a_b"]);
    expect((await searchDevices(database.db, { query: "%", limit: 50 })).devices.map((device) => device.id)).toEqual([
      "Lab_1%",
      "lab_1%-annex",
      "xlab_1%",
    ]);
  });

  it("filters by state, last reason and attributes, and counts the same rows", async () => {
    const filter = filterOf({ query: "sensor", state: "offline", reason: "keepalive_timeout", source: "hivemq", region: "eu-west" });
    const expected = seed
      .filter(
        (d) =>
          d.id.includes("sensor") &&
          d.state === "offline" &&
          d.lastReason === "keepalive_timeout" &&
          d.source === "hivemq" &&
          d.region === "eu-west",
      )
      .map((d) => d.id);
    expect(expected.length).toBeGreaterThan(0);
    expect((await listAll(filter, 3)).map((device) => device.id)).toEqual(expected);
    expect(await countDevices(database.db, filter)).toBe(expected.length);
    expect(await countDevices(database.db, filterOf({ brokerNode: "elsewhere" }))).toBe(0);
  });

  it.each(DEVICE_SORTS.flatMap((sort) => SORT_DIRECTIONS.map((dir) => [sort, dir] as const)))(
    "sort %s %s with keyset paging returns every row exactly once, in order",
    async (sort, dir) => {
      const filter = filterOf({ query: "s", sort, dir });
      const all = await listAll(filter, 7);
      const ids = all.map((device) => device.id);
      const expected = seed.filter((d) => d.id.toLowerCase().includes("s")).map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...expected].sort());
      expect(ids.length).toBe(await countDevices(database.db, filter));

      const keyOf = (device: DeviceListItem): string | number =>
        sort === "state"
          ? device.state
          : sort === "changed"
            ? (device.stateOccurredAt?.getTime() ?? 0)
            : sort === "disconnects"
              ? device.disconnectCount
              : sort === "reason"
                ? (device.lastReason ?? "")
                : device.matchRank;
      const sign = dir === "asc" ? 1 : -1;
      for (let index = 1; index < all.length; index++) {
        const [previous, current] = [all[index - 1], all[index]];
        if (!previous || !current) continue;
        const [a, b] = [keyOf(previous), keyOf(current)];
        const tieBroken = a === b && (previous.id < current.id ? 1 : -1) === sign;
        // The ID sort orders by match rank ascending first, whatever the direction.
        const ordered = sort === "id" ? a < b || tieBroken : (a < b ? 1 : -1) === sign || tieBroken;
        expect(ordered, `${previous.id} before ${current.id}`).toBe(true);
      }
    },
  );

  it("refuses a cursor from another sort", async () => {
    const page = await searchDevices(database.db, { sort: "disconnects", limit: 2 });
    const cursor = decodeDeviceListCursor(page.nextCursor ?? "") ?? undefined;
    await expect(searchDevices(database.db, { sort: "state", limit: 2, cursor })).rejects.toThrow(/another sort/);
  });
});

describe("device list CSV export", () => {
  async function readStream(stream: ReadableStream<Uint8Array>): Promise<string> {
    return new Response(stream).text();
  }

  it("streams every match over several pages, in list order, without IPs or secrets", async () => {
    const filter = filterOf({ query: "sensor", sort: "disconnects", dir: "desc" });
    const text = await readStream(streamDeviceListCsv(database.db, filter, 7));
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe(DEVICE_LIST_CSV_COLUMNS.join(","));
    const total = await countDevices(database.db, filter);
    expect(total).toBeGreaterThan(7 * 3);
    expect(lines).toHaveLength(total + 1);
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual((await listAll(filter, 50)).map((device) => device.id));
    expect(text).not.toContain("10.1.2.3");
    expect(text).not.toContain("s3cret");
  });

  it("escapes cells that a spreadsheet would evaluate", async () => {
    const text = await readStream(streamDeviceListCsv(database.db, filterOf({ query: "=HYPERLINK" }), 7));
    const [, row] = text.trimEnd().split("\r\n");
    expect(row?.startsWith("'=HYPERLINK(1),")).toBe(true);
    expect(row).toContain('""line"":""=2+3""');
  });
});
