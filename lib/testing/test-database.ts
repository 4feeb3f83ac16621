import { randomBytes } from "node:crypto";
import { createDb, type Db } from "@/lib/db/client.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { createDatabase, dropDatabase, testServerUrl, withDatabaseName } from "./admin-database.ts";

export type TestDatabase = {
  /** URL of the new database, for code that opens its own connections. */
  url: string;
  db: Db;
  /** Disconnects `db` and drops the database, even if other connections are still open. Safe to call twice. */
  drop(): Promise<void>;
};

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
    await createDatabase(serverUrl, name, { template, then: [withoutCommitFlush(name)] });
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
  await createDatabase(serverUrl, name, { then: [withoutCommitFlush(name)] });
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

const uniqueDatabaseName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
