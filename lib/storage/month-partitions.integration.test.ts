import pg from "pg";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { ensureMonthPartitions, listMonthPartitions, partitionName } from "./time-partitions.ts";

const testDb = useTestDatabase();

describe("creating a month partition while writers store rows of that month", () => {
  it("moves the default partition's rows and attaches the month without failing or losing a row", async () => {
    // Late history (an import, a storm of last month's events) lands in the default partition until its month is
    // created; the retention pass then creates it while writers go on storing rows of that month.
    const month = new Date(Date.UTC(2026, 4, 1));
    const now = new Date(Date.UTC(2026, 7, 15));
    const writers = new pg.Pool({ connectionString: testDb.url, max: 3 });
    let stop = false;
    let written = 0;
    const writeUntilStopped = async (writer: number) => {
      for (let i = 0; !stop; i++) {
        const bucket = new Date(month.getTime() + ((i * 3 + writer) % 40_000) * 60_000);
        await writers.query("INSERT INTO device_drop_minute (bucket, device_id, drops) VALUES ($1, $2, 1)", [bucket, `w${writer}-${i}`]);
        written += 1;
      }
    };
    try {
      const writing = [0, 1, 2].map(writeUntilStopped);
      const created: string[] = [];
      let failure: unknown = null;
      // Several rounds: after each, the month's rows go back to the default partition and the month is created again.
      for (let round = 0; round < 6 && failure === null; round++) {
        await waitFor(countDefaultRows, (n) => n >= 200);
        try {
          created.push(...(await ensureMonthPartitions(testDb.db, "device_drop_minute", now, new Date(Date.UTC(2025, 0, 1)))));
        } catch (error) {
          failure = error;
          break;
        }
        await testDb.db.$executeRawUnsafe(`ALTER TABLE device_drop_minute DETACH PARTITION ${partitionName("device_drop_minute", month)}`);
        await testDb.db.$executeRawUnsafe(
          `WITH moved AS (DELETE FROM ${partitionName("device_drop_minute", month)} RETURNING *) INSERT INTO device_drop_minute_default SELECT * FROM moved`,
        );
        await testDb.db.$executeRawUnsafe(`DROP TABLE ${partitionName("device_drop_minute", month)}`);
      }
      stop = true;
      await Promise.all(writing);
      expect(failure === null ? null : String(failure)).toBeNull();
      expect(created.filter((name) => name === partitionName("device_drop_minute", month))).toHaveLength(6);
      const [row] = await testDb.db.$queryRaw<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM device_drop_minute`;
      expect(row?.n).toBe(written);
    } finally {
      stop = true;
      await writers.end();
    }
  });
});

async function countDefaultRows(): Promise<number> {
  const [row] = await testDb.db.$queryRaw<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM device_drop_minute_default`;
  return row?.n ?? 0;
}

describe("the row estimate of a month partition", () => {
  it("counts the rows of a partition never analyzed (the embedded database has no autovacuum), not 0", async () => {
    const month = new Date(Date.UTC(2026, 1, 1));
    await ensureMonthPartitions(testDb.db, "device_drop_minute", new Date(Date.UTC(2026, 2, 10)), new Date(Date.UTC(2025, 0, 1)));
    await testDb.db.$executeRaw`
      INSERT INTO device_drop_minute (bucket, device_id, drops)
      SELECT ${month}::timestamptz + g * interval '1 minute', 'estimate-' || g, 1 FROM generate_series(1, 500) g`;
    const name = partitionName("device_drop_minute", month);
    // The writes' statistics reach the shared counters within a second of the commit.
    const estimate = await waitFor(
      async () => (await listMonthPartitions(testDb.db)).find((partition) => partition.name === name)?.estimatedRows,
      (rows) => rows === 500,
    );
    expect(estimate).toBe(500);
  });
});
