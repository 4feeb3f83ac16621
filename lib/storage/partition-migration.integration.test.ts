import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrate.ts";

const MIGRATION = "20261203030000_time_partitions";
const migrationsDir = path.resolve(import.meta.dirname, "../../prisma/migrations");
const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe(`migration ${MIGRATION}`, () => {
  it("moves the rows of an existing database into month partitions and keeps ids, keys and the sequence going", async () => {
    const name = `linkscope_test_mig_${randomBytes(6).toString("hex")}`;
    await query(serverUrl, `CREATE DATABASE "${name}"`);
    cleanups.push(() => query(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

    const before = await mkdtemp(path.join(os.tmpdir(), "linkscope-mig-"));
    cleanups.push(() => rm(before, { recursive: true, force: true }));
    await cp(migrationsDir, before, { recursive: true });
    for (const entry of await readdir(before))
      if (entry >= MIGRATION && entry !== "migration_lock.toml") await rm(path.join(before, entry), { recursive: true });
    await applyMigrations(url, { migrationsDir: before });

    // Rows of three months (one far back, beyond the 25 months the migration creates) in the unpartitioned tables.
    const now = Date.now();
    const times = [now - 900 * 86_400_000, now - 70 * 86_400_000, now - 60_000].map((t) => new Date(t));
    await query(url, `INSERT INTO devices (id) VALUES ('mig-dev')`);
    for (const [i, at] of times.entries()) {
      await query(
        url,
        `INSERT INTO connection_events (dedupe_key, device_id, kind, occurred_at, reason, initiator, source, raw) VALUES ($1, 'mig-dev', 'disconnected', $2, 'connection_lost', 'network', 'emqx', '{"n": 1}')`,
        [`mig-key-${i}-0123456789`, at],
      );
      await query(
        url,
        `INSERT INTO device_reason_minute (bucket, device_id, kind, reason, source, count) VALUES (date_trunc('minute', $1::timestamptz), 'mig-dev', 'disconnected', 'connection_lost', 'emqx', 1)`,
        [at],
      );
      await query(
        url,
        `INSERT INTO device_drop_minute (bucket, device_id, drops) VALUES (date_trunc('minute', $1::timestamptz), 'mig-dev', 1)`,
        [at],
      );
    }
    const idsBefore = await query<{ id: string }>(url, `SELECT id::text FROM connection_events ORDER BY id`);

    await applyMigrations(url);

    expect(await query<{ id: string }>(url, `SELECT id::text FROM connection_events ORDER BY id`)).toEqual(idsBefore);
    expect(
      await query(
        url,
        `SELECT relkind::text FROM pg_class WHERE relname IN ('connection_events', 'device_reason_minute', 'device_drop_minute') ORDER BY relname`,
      ),
    ).toEqual([{ relkind: "p" }, { relkind: "p" }, { relkind: "p" }]);
    // The recent months have partitions; the row older than 25 months waits in the default partition.
    const placed = await query<{ part: string; n: number }>(
      url,
      `SELECT tableoid::regclass::text AS part, COUNT(*)::int AS n FROM connection_events GROUP BY 1 ORDER BY 1`,
    );
    expect(placed.find((row) => row.part === "connection_events_default")?.n).toBe(1);
    expect(placed.filter((row) => /_p\d{6}$/.test(row.part)).reduce((sum, row) => sum + row.n, 0)).toBe(2);
    expect((await query<{ n: number }>(url, `SELECT COUNT(*)::int AS n FROM device_reason_minute`))[0]?.n).toBe(3);
    expect((await query<{ n: number }>(url, `SELECT COUNT(*)::int AS n FROM device_drop_minute`))[0]?.n).toBe(3);

    // Redelivery of a migrated event is a no-op on the new key; a new event continues the id sequence.
    const conflict = await query(
      url,
      `INSERT INTO connection_events (dedupe_key, device_id, kind, occurred_at, reason, initiator, source, raw) VALUES ('mig-key-1-0123456789', 'mig-dev', 'disconnected', $1, 'connection_lost', 'network', 'emqx', '{}') ON CONFLICT (dedupe_key, occurred_at) DO NOTHING RETURNING id`,
      [times[1]],
    );
    expect(conflict).toEqual([]);
    const [inserted] = await query<{ id: string }>(
      url,
      `INSERT INTO connection_events (dedupe_key, device_id, kind, occurred_at, reason, initiator, source, raw) VALUES ('mig-key-new-0123456789', 'mig-dev', 'connected', now(), 'connected', 'client', 'emqx', '{}') RETURNING id::text`,
    );
    expect(BigInt(inserted?.id ?? "0")).toBeGreaterThan(BigInt(idsBefore.at(-1)?.id ?? "0"));
    expect(await query(url, `SELECT to_regclass('connection_events_unpartitioned') AS t`)).toEqual([{ t: null }]);
  });
});
