import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client.ts";

export type Db = PrismaClient;
export { Prisma } from "@/generated/prisma/client.ts";

const pools = new WeakMap<Db, pg.Pool>();

/**
 * Creates a Prisma client over node-postgres. `maxConnections` matters for the embedded database:
 * the PGlite socket server accepts only a handful of connections, and adapter-pg ignores
 * `?connection_limit=` in the URL, so the pool size is passed explicitly.
 */
export function createDb(databaseUrl: string, maxConnections = 5): Db {
  // JIT off for every session: the app's statements run in milliseconds, and at 10M events JIT compiled single
  // diagnosis statements for 56–264 ms (decision 055). A URL with its own `options` parameter replaces this one.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: maxConnections, options: "-c jit=off" });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const db = new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    // Prisma's defaults (2 s to start an interactive transaction, 5 s to run it) are speed claims: on a busy 2-core
    // machine a CLI's transaction failed with "Unable to start a transaction in the given time" while two test suites
    // ran. A bound that holds under load costs nothing when the database is fast; a call can still set its own.
    transactionOptions: { maxWait: 15_000, timeout: 30_000 },
  });
  pools.set(db, pool);
  return db;
}

/**
 * The node-postgres pool behind a client made by createDb: the ingest writer sends its bulk statements straight to
 * it, without Prisma's per-query processing (decision 024). Same pool, so the same connection limit.
 */
export function getPgPool(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("this Prisma client was not made by createDb, so it has no node-postgres pool");
  return pool;
}

const globalForDb = globalThis as unknown as { linkscopeDb?: Db };

/** Process-wide client for the web server (survives Next's module reloads in dev). */
export function getDb(): Db {
  if (!globalForDb.linkscopeDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set. Run `npm start`, which provides one, or set it to a Postgres URL.");
    globalForDb.linkscopeDb = createDb(url, Number(process.env.DATABASE_POOL_MAX ?? 5));
  }
  return globalForDb.linkscopeDb;
}
