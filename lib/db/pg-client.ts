import pg from "pg";

/** Where a database URL points, without its credentials: safe for error messages and logs. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "(unparseable database URL)";
  }
}

/** The readable message of a driver error; a refused dual-stack connect is an AggregateError with an empty message. */
export function pgErrorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(pgErrorMessage).join("; ");
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * One connection of its own, for what a pool cannot do (migrations under a session lock, CREATE DATABASE outside a
 * transaction, catalogue reads before the app's pool exists). Ended after `use`, whatever happens.
 * `unreachable` words the error when the server cannot be reached at all.
 */
export async function withPgClient<T>(
  databaseUrl: string,
  use: (client: pg.Client) => Promise<T>,
  unreachable: (reason: string) => string = (reason) => `Cannot connect to the database at ${describeDatabaseUrl(databaseUrl)}: ${reason}`,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 15_000 });
  // An idle connection dropped by the server must surface as a query error, not crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new Error(unreachable(pgErrorMessage(error)));
  }
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}
