import { randomBytes } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client.ts";
import { startEmbeddedPostgres } from "@/demo/db/embedded-postgres.ts";
import { copyInitialisedEmbeddedDataDir } from "@/demo/db/embedded-template.ts";
import { applyMigrations, computeMigrationChecksum } from "@/lib/db/migrate.ts";
import { diffDatabaseAgainstSchema } from "@/lib/testing/schema-diff.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const migrationsDir = path.join(repoRoot, "prisma/migrations");
const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function readSchema(): Promise<string> {
  return readFile(path.join(repoRoot, "prisma/schema.prisma"), "utf8");
}

async function listMigrationNames(dir = migrationsDir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An empty database (no migrations applied), dropped after the test. */
async function createEmptyDatabase(): Promise<string> {
  const name = `linkscope_test_empty_${randomBytes(6).toString("hex")}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  cleanups.push(() => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database with every migration applied and recorded (a copy of the run's template), dropped after the test. */
async function createMigratedDatabase(): Promise<string> {
  const testDb = await createTestDatabase();
  cleanups.push(() => testDb.drop());
  const recorded = await withClient(
    testDb.url,
    async (c) => (await c.query("SELECT count(*)::int AS n FROM _prisma_migrations")).rows[0]?.n,
  );
  expect(recorded).toBe((await listMigrationNames()).length);
  return testDb.url;
}

async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function copyMigrations(): Promise<string> {
  const dir = path.join(await makeTempDir("linkscope-migrations-"), "migrations");
  await cp(migrationsDir, dir, { recursive: true });
  return dir;
}

describe("applyMigrations on Postgres", () => {
  it("migrates an empty database to exactly schema.prisma, records it like Prisma, and is idempotent", async () => {
    const url = await createEmptyDatabase();
    const names = await listMigrationNames();

    expect(await applyMigrations(url)).toEqual({ applied: names });
    expect(await diffDatabaseAgainstSchema(url, await readSchema())).toEqual([]);

    const rows = await withClient(url, async (c) => (await c.query("SELECT * FROM _prisma_migrations ORDER BY migration_name")).rows);
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = await readFile(path.join(migrationsDir, row.migration_name, "migration.sql"), "utf8");
      expect(row.checksum).toBe(computeMigrationChecksum(sql));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.started_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    expect(await applyMigrations(url)).toEqual({ applied: [] });
  });

  it("applies each migration once when two processes start at the same time", async () => {
    const url = await createEmptyDatabase();
    const [first, second] = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    expect([...first.applied, ...second.applied].sort()).toEqual(await listMigrationNames());
    const count = await withClient(
      url,
      async (c) => (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM _prisma_migrations")).rows[0]?.n,
    );
    expect(count).toBe((await listMigrationNames()).length);
  });

  it("refuses a migration that was edited after it was applied", async () => {
    const url = await createMigratedDatabase();
    const dir = await copyMigrations();
    const [first] = await listMigrationNames(dir);
    await appendFile(path.join(dir, String(first), "migration.sql"), "\n-- edited afterwards\n");
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/changed after being applied \(checksum mismatch\)/);
  });

  it("refuses to run while a failed migration is recorded", async () => {
    const url = await createMigratedDatabase();
    await withClient(url, (c) =>
      c.query(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count) VALUES ($1, $2, $3, $4, now(), 0)",
        ["00000000-0000-4000-8000-000000000000", "0".repeat(64), "29990101000000_half_done", "syntax error"],
      ),
    );
    await expect(applyMigrations(url)).rejects.toThrow(/failed migration\(s\) 29990101000000_half_done/);
  });

  it("rolls back a failing migration completely and records nothing", async () => {
    const url = await createEmptyDatabase();
    const dir = await copyMigrations();
    await mkdir(path.join(dir, "29990101000000_broken"));
    await writeFile(
      path.join(dir, "29990101000000_broken", "migration.sql"),
      "CREATE TABLE half_done (a INT);\nSELECT * FROM no_such_table;\n",
    );
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/29990101000000_broken failed and was rolled back/);

    const state = await withClient(url, async (c) => ({
      halfDone: (await c.query("SELECT to_regclass('half_done') AS t")).rows[0]?.t,
      recorded: (await c.query("SELECT migration_name FROM _prisma_migrations ORDER BY migration_name")).rows.map((r) => r.migration_name),
    }));
    // Earlier migrations committed in their own transactions; the broken one left no trace.
    expect(state).toEqual({ halfDone: null, recorded: await listMigrationNames() });
  });
});

describe("diffDatabaseAgainstSchema", () => {
  it("detects an extra field, a changed index and an extra table", async () => {
    const testDb = await createTestDatabase();
    cleanups.push(() => testDb.drop());
    const schema = await readSchema();
    expect(await diffDatabaseAgainstSchema(testDb.url, schema)).toEqual([]);

    const withField = schema.replace(/^(\s*firmware\s+String\?)$/m, '$1\n  hardwareRev String? @map("hardware_rev")');
    expect(withField).not.toBe(schema);
    const fieldDiff = await diffDatabaseAgainstSchema(testDb.url, withField);
    expect(fieldDiff).toEqual([expect.stringMatching(/missing column "devices"\."hardware_rev"/)]);

    const changedIndex = schema.replace("@@index([code, occurredAt])", "@@index([code, occurredAt(sort: Desc)])");
    expect(changedIndex).not.toBe(schema);
    const indexDiff = await diffDatabaseAgainstSchema(testDb.url, changedIndex);
    expect(indexDiff).toEqual([
      expect.stringMatching(/connection_events_code_occurred_at_idx.*\(code, occurred_at\).*\(code, occurred_at DESC\)/),
    ]);

    await withClient(testDb.url, (c) => c.query("CREATE TABLE stray (id INT PRIMARY KEY)"));
    expect(await diffDatabaseAgainstSchema(testDb.url, schema)).toEqual([expect.stringMatching(/extra table "stray"/)]);
  });

  it("gives a test database a working Prisma client, commits that skip the WAL flush, and drops it afterwards", async () => {
    const testDb = await createTestDatabase();
    cleanups.push(() => testDb.drop());
    await testDb.db.device.create({ data: { id: "dev-1" } });
    expect(await testDb.db.device.count()).toBe(1);
    const [setting] = await testDb.db.$queryRaw<{ synchronous_commit: string }[]>`SHOW synchronous_commit`;
    expect(setting?.synchronous_commit).toBe("off");

    const name = new URL(testDb.url).pathname.slice(1);
    await testDb.drop();
    await testDb.drop();
    const exists = await withClient(
      serverUrl,
      async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount,
    );
    expect(exists).toBe(0);
  });
});

describe("embedded Postgres (PGlite)", () => {
  it("migrates, matches the schema and keeps data across a restart", async () => {
    const dataDir = path.join(await makeTempDir("linkscope-pglite-"), "data");
    const schema = await readSchema();
    const names = await listMigrationNames();

    // initdb has run on the copy (once per run, demo/db/embedded-template.ts); every migration is applied here.
    await copyInitialisedEmbeddedDataDir(dataDir);
    const first = await startEmbeddedPostgres({ dataDir, port: 0, maxConnections: 6 });
    cleanups.push(() => first.stop());
    expect(first.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable$/);
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/in use by process/);

    // Advisory locks do not exclude anything on PGlite (one shared session); the in-transaction re-check must.
    const [a, b] = await Promise.all([applyMigrations(first.url), applyMigrations(first.url)]);
    expect([...a.applied, ...b.applied].sort()).toEqual(names);
    expect(await diffDatabaseAgainstSchema(first.url, schema)).toEqual([]);

    const db = createDb(first.url, 4);
    await db.device.create({ data: { id: "dev-pglite", labels: { site: "lab" } } });
    await db.$disconnect();
    await first.stop();

    // A lock file left behind by a crash (here with this process's pid, as after a container restart) is stale.
    await writeFile(path.join(dataDir, "linkscope-embedded.pid"), String(process.pid));
    const second = await startEmbeddedPostgres({ dataDir });
    cleanups.push(() => second.stop());
    expect(await applyMigrations(second.url)).toEqual({ applied: [] });
    expect(await diffDatabaseAgainstSchema(second.url, schema)).toEqual([]);
    const rows = await withClient(second.url, async (c) => (await c.query("SELECT id, labels FROM devices")).rows);
    expect(rows).toEqual([{ id: "dev-pglite", labels: { site: "lab" } }]);
    await second.stop();
  });
});
