import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client.ts";

export type Db = PrismaClient;
export { Prisma } from "@/generated/prisma/client.ts";

/**
 * Creates a Prisma client over node-postgres. `maxConnections` matters for the embedded database:
 * the PGlite socket server accepts only a handful of connections, and adapter-pg ignores
 * `?connection_limit=` in the URL, so the pool size is passed explicitly.
 */
export function createDb(databaseUrl: string, maxConnections = 5): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: maxConnections });
  return new PrismaClient({ adapter });
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
