import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { bulkWriteScaleFleet } from "./bulk-scale-fleet.ts";
import { writeScaleFleet, type ScaleFleetOptions } from "./scale-fleet.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

/** Columns the database fills at insertion (ids, clocks); event ids are compared through the events' dedupe keys. */
const INSERTION_COLUMNS = ["id", "received_at", "updated_at", "created_at", "changed_at", "start_event_id", "end_event_id"];

const OPTIONS: ScaleFleetOptions = { devices: 200, days: 3, events: 12_000, to: new Date(Date.UTC(2026, 10, 22)), seed: 7 };

/** Every table of the schema (partitions as their parent) with its rows as sorted JSON, insertion columns left out. */
async function tableContents(db: Db): Promise<Map<string, string[]>> {
  const tables = await queryRows(
    db,
    "listTables",
    z.object({ name: z.string() }),
    Prisma.sql`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'
    ORDER BY 1`,
  );
  const contents = new Map<string, string[]>();
  for (const { name } of tables) {
    const eventKeys =
      name === "sessions"
        ? Prisma.sql`|| jsonb_build_object(
            'start_event', (SELECT e.dedupe_key FROM connection_events e WHERE e.id = t.start_event_id),
            'end_event', (SELECT e.dedupe_key FROM connection_events e WHERE e.id = t.end_event_id))`
        : Prisma.empty;
    const rows = await queryRows(
      db,
      "tableRows",
      z.object({ row: z.string() }),
      Prisma.sql`SELECT ((to_jsonb(t) - ${INSERTION_COLUMNS}::text[]) ${eventKeys})::text AS row FROM ${Prisma.raw(`"${name}"`)} t ORDER BY 1`,
    );
    contents.set(
      name,
      rows.map((r) => r.row),
    );
  }
  return contents;
}

describe("bulk scale fleet", () => {
  let throughWriter: TestDatabase;
  let bulk: TestDatabase;

  beforeAll(async () => {
    throughWriter = await createTestDatabase();
    bulk = await createTestDatabase();
  });
  afterAll(async () => {
    await throughWriter?.drop();
    await bulk?.drop();
  });

  it("leaves every table as the real writer does for the same delivered history", async () => {
    const viaWriter = await writeScaleFleet(throughWriter.db, { ...OPTIONS, lanes: 1 }, () => {});
    const viaBulk = await bulkWriteScaleFleet(bulk.db, OPTIONS, () => {});
    expect(viaBulk).toBe(viaWriter);

    const expected = await tableContents(throughWriter.db);
    const actual = await tableContents(bulk.db);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    const written = [...expected].filter(([, rows]) => rows.length > 0).map(([name]) => name);
    // The history must exercise what is compared: sessions, state, the gauge and every rollup.
    expect(written).toEqual(
      expect.arrayContaining([
        "connection_events",
        "sessions",
        "devices",
        "fleet_connected_minute",
        "fleet_connected_devices",
        "event_rollup_minute",
        "device_drop_minute",
        "device_reason_minute",
        "code_first_seen",
      ]),
    );
    for (const [name, rows] of expected) expect({ table: name, rows: actual.get(name) }).toEqual({ table: name, rows });
  });
});
