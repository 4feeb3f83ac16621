import { withPgClient } from "@/lib/db/pg-client.ts";

export const DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export const testServerUrl = () => process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;

export function withDatabaseName(serverUrl: string, databaseName: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

/**
 * Creates database `name` (a copy of `template` if given), then runs `then` (its settings) one statement at a time.
 * If anything after the CREATE fails, the database is dropped again on a new connection (the failure may have been
 * the connection's) and the caller gets the original error: nobody else knows the name, so it would stay for good.
 */
export async function createDatabase(
  serverUrl: string,
  name: string,
  { template, then = [] }: { template?: string; then?: readonly string[] },
): Promise<void> {
  await withPgClient(
    serverUrl,
    async (client) => {
      await client.query(template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
      try {
        for (const sql of then) await client.query(sql);
      } catch (error) {
        await dropDatabase(serverUrl, name).catch(() => {});
        throw error;
      }
    },
    unreachable,
  );
}

export const dropDatabase = (serverUrl: string, name: string) =>
  withPgClient(
    serverUrl,
    async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    unreachable,
  );

/** CREATE DATABASE refuses to run inside a transaction, so these use a connection of their own. */
function unreachable(reason: string): string {
  return `Cannot connect to the test Postgres server (TEST_DATABASE_URL or ${DEFAULT_SERVER_URL}): ${reason}`;
}
