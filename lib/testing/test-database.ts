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
 * Creates a uniquely named, fully migrated database on the server of TEST_DATABASE_URL (default: the local
 * Postgres), so integration test files can run against real Postgres without sharing state.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
  const name = `linkscope_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await runAdminQuery(serverUrl, `CREATE DATABASE "${name}"`);

  const url = withDatabaseName(serverUrl, name);
  try {
    await applyMigrations(url);
  } catch (error) {
    await runAdminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
    throw error;
  }

  const db = createDb(url);
  let dropped: Promise<void> | undefined;
  return {
    url,
    db,
    drop() {
      dropped ??= (async () => {
        await db.$disconnect();
        await runAdminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })();
      return dropped;
    },
  };
}

function withDatabaseName(serverUrl: string, databaseName: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

async function runAdminQuery(serverUrl: string, sql: string): Promise<void> {
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
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
