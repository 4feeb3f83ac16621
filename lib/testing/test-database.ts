import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "@/lib/db/client.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";

export type TestDatabase = {
  /** URL of the new database, for code that opens its own connections. */
  url: string;
  db: Db;
  /** Disconnects `db` and drops the database, even if other connections are still open. Safe to call twice. */
  drop(): Promise<void>;
};

const DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * Set by lib/testing/template-database-setup.ts (the integration suite's global setup) to the name of a database
 * migrated once per run; read by every test file's createTestDatabase.
 */
export const TEMPLATE_DATABASE_ENV = "LINKSCOPE_TEST_TEMPLATE_DATABASE";

/**
 * Creates a uniquely named, fully migrated database on the server of TEST_DATABASE_URL (default: the local
 * Postgres), so integration test files can run against real Postgres without sharing state. Within the
 * integration suite the database is a copy of the run's migrated template (one statement instead of every
 * migration); elsewhere (e2e setup, a single file run without the global setup) the migrations run here.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = uniqueDatabaseName("linkscope_test");
  const template = process.env[TEMPLATE_DATABASE_ENV];
  if (template) {
    await runAdminQuery(serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`, withoutCommitFlush(name));
  } else {
    await createMigratedDatabase(serverUrl, name);
  }

  const url = withDatabaseName(serverUrl, name);
  const db = createDb(url);
  let dropped: Promise<void> | undefined;
  return {
    url,
    db,
    drop() {
      dropped ??= (async () => {
        await db.$disconnect();
        await dropDatabase(serverUrl, name);
      })();
      return dropped;
    },
  };
}

/**
 * Creates and migrates the run's template database. Nothing may stay connected to it: Postgres refuses to copy a
 * template that has other sessions.
 */
export async function createTemplateDatabase(): Promise<{ name: string; drop(): Promise<void> }> {
  const serverUrl = testServerUrl();
  const name = uniqueDatabaseName("linkscope_test_template");
  await createMigratedDatabase(serverUrl, name);
  return { name, drop: () => dropDatabase(serverUrl, name) };
}

async function createMigratedDatabase(serverUrl: string, name: string): Promise<void> {
  await runAdminQuery(serverUrl, `CREATE DATABASE "${name}"`, withoutCommitFlush(name));
  try {
    await applyMigrations(withDatabaseName(serverUrl, name));
  } catch (error) {
    await dropDatabase(serverUrl, name).catch(() => {});
    throw error;
  }
}

/**
 * A test database's commits return before their WAL reaches the disk: a test never survives a server crash, and
 * waiting for the flush cost ≈ 1.6 ms per commit on these machines (thousands of commits per run). Settings of a
 * database are not copied with it as a template, so every database gets its own (docs/benchmarks.md).
 */
const withoutCommitFlush = (name: string) => `ALTER DATABASE "${name}" SET synchronous_commit = off`;

const testServerUrl = () => process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;

const uniqueDatabaseName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;

const dropDatabase = (serverUrl: string, name: string) => runAdminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);

function withDatabaseName(serverUrl: string, databaseName: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

/** Each statement on its own (CREATE DATABASE refuses to share a transaction with another statement). */
async function runAdminQuery(serverUrl: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new Error(`Cannot connect to the test Postgres server (TEST_DATABASE_URL or ${DEFAULT_SERVER_URL}): ${reason}`);
  }
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
