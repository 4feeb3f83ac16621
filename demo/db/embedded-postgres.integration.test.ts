import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client.ts";
import { DEFAULT_PING_TIMEOUT_MS, pingDatabase } from "@/lib/queries/ping-database.ts";
import { analyzeWithoutAutovacuum, publishTableCounters } from "@/lib/storage/analyze-without-autovacuum.ts";
import { EMBEDDED_HEALTH_PING_TIMEOUT_MS, startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.ts";
import { copyMigratedEmbeddedDataDir } from "./embedded-template.ts";

let dataDir: string;
let embedded: EmbeddedPostgres;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "linkscope-pglite-"));
  await copyMigratedEmbeddedDataDir(dataDir);
  embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 6 });
});

afterAll(async () => {
  await embedded?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("embedded Postgres under concurrent connections", () => {
  it("keeps each connection's parameterized queries apart, even when a request spans many TCP chunks", async () => {
    const clients = await Promise.all(
      [0, 1, 2].map(async () => {
        const client = new pg.Client({ connectionString: embedded.url });
        await client.connect();
        return client;
      }),
    );
    const [bulk, parameterized, simple] = clients as [pg.Client, pg.Client, pg.Client];
    try {
      // A large Bind (like a 1000-row ingest batch) arrives in many chunks; a simple Query from another connection
      // in between would discard the unnamed statement ("unnamed prepared statement does not exist").
      const big = "x".repeat(512 * 1024);
      const bulkRun = (async () => {
        const lengths: number[] = [];
        for (let i = 0; i < 8; i++) {
          const { rows } = await bulk.query<{ n: number }>("SELECT length($1::text) + $2::int AS n", [big, i]);
          lengths.push(rows[0]?.n ?? -1);
        }
        return lengths;
      })();
      const otherRuns = (async () => {
        const answers: boolean[] = [];
        for (let i = 0; i < 200; i++) {
          const a = await parameterized.query<{ s: string }>("SELECT $1::text || '-' || $2::text AS s", ["p", String(i)]);
          const b = await simple.query<{ s: string }>(`SELECT 'q-${i}' AS s`);
          answers.push(a.rows[0]?.s === `p-${i}` && b.rows[0]?.s === `q-${i}`);
        }
        return answers;
      })();
      const [lengths, answers] = await Promise.all([bulkRun, otherRuns]);
      expect(lengths).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => big.length + i));
      expect(answers.every(Boolean)).toBe(true);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  it("serves concurrent transactions from several connections without losing writes", async () => {
    const setup = new pg.Client({ connectionString: embedded.url });
    await setup.connect();
    await setup.query("CREATE TABLE IF NOT EXISTS concurrency_probe (conn int NOT NULL, n int NOT NULL)");
    await setup.end();

    const pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
    try {
      await Promise.all(
        [0, 1, 2, 3].map(async (conn) => {
          for (let n = 0; n < 15; n++) {
            const client = await pool.connect();
            try {
              await client.query("BEGIN");
              await client.query("INSERT INTO concurrency_probe (conn, n) VALUES ($1, $2)", [conn, n]);
              await client.query("COMMIT");
            } finally {
              client.release();
            }
          }
        }),
      );
      const { rows } = await pool.query<{ count: string }>("SELECT count(*) FROM concurrency_probe");
      expect(Number(rows[0]?.count)).toBe(60);
    } finally {
      await pool.end();
    }
  });

  it("answers health's ping within the embedded deadline while a long statement holds the database", async () => {
    const busy = new pg.Client({ connectionString: embedded.url });
    await busy.connect();
    const db = createDb(embedded.url, 2);
    try {
      await db.$queryRaw`SELECT 1`;
      // The statement is written to the socket before either ping: the embedded database runs them in arrival order.
      const hold = busy.query(`SELECT pg_sleep(${(DEFAULT_PING_TIMEOUT_MS * 2) / 1000})`);
      const [atRealPostgresDeadline, atEmbeddedDeadline] = await Promise.all([
        pingDatabase(db, DEFAULT_PING_TIMEOUT_MS),
        pingDatabase(db, EMBEDDED_HEALTH_PING_TIMEOUT_MS),
      ]);
      await hold;
      expect(atRealPostgresDeadline).toMatchObject({ ok: false, error: expect.stringMatching(/did not answer/) });
      expect(atEmbeddedDeadline).toMatchObject({ ok: true });
    } finally {
      await busy.end();
      await db.$disconnect();
    }
  });

  it("has its tables analyzed by the retention pass, since no autovacuum runs there", async () => {
    const db = createDb(embedded.url, 2);
    try {
      // Published just before the insert, so the insert's 400 changed rows are still unpublished when the pass runs:
      // counted after its ANALYZE, they made the table look changed since, and the next pass analyzed it again.
      await publishTableCounters(db);
      await db.$executeRawUnsafe(`INSERT INTO devices (id, firmware) SELECT 'analyze-' || n, 'fw-1' FROM generate_series(1, 400) AS n`);
      const estimate = async () => {
        const plan = await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN SELECT * FROM devices WHERE firmware = 'fw-1'`);
        return Number(/rows=(\d+)/.exec(plan[0]?.["QUERY PLAN"] ?? "")?.[1]);
      };
      expect(await estimate()).not.toBe(400);

      expect(await analyzeWithoutAutovacuum(db)).toContain("public.devices");
      expect(await estimate()).toBe(400);
      // Analyzed and unchanged since: not again, once every counter is published.
      await publishTableCounters(db);
      await db.$queryRawUnsafe("SELECT 1");
      expect(await analyzeWithoutAutovacuum(db)).not.toContain("public.devices");
    } finally {
      await db.$disconnect();
    }
  });
});
