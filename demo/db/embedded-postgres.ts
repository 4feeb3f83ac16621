import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { pinExtendedProtocolSequences } from "./pglite-protocol-pinning.ts";

export type EmbeddedPostgresOptions = {
  /** On-disk data directory; created on first start, reused afterwards. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Concurrent client connections the socket server accepts (default 8); keep pools at or below it. */
  maxConnections?: number;
};

export type EmbeddedPostgres = {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres?sslmode=disable`, usable by `pg` and adapter-pg. */
  url: string;
  stop(): Promise<void>;
};

/**
 * How long `/api/health` waits for the embedded database before calling it down (LINKSCOPE_HEALTH_DB_TIMEOUT_MS, 2 s
 * against a real Postgres). One statement runs at a time here, so a long fold or diagnosis holds the ping for seconds
 * while nothing is wrong; at 2 s the header's status flipped to "database down" under load.
 */
export const EMBEDDED_HEALTH_PING_TIMEOUT_MS = 15_000;

const LOCK_FILE = "linkscope-embedded.pid";
// Data directories this process has open: a lock file carrying our own pid but not listed here is stale
// (e.g. a container restart where the new process got the same pid).
const openDataDirs = new Set<string>();

/**
 * Serves a PGlite database (PostgreSQL in WASM) with an on-disk data directory over the Postgres wire
 * protocol. It is one backend behind a query queue: session state is shared between connections, cancel is
 * ignored, and a long transaction stalls every other connection.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const releaseLock = await lockDataDir(dataDir);

  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    // Extensions must be loaded here, before a migration's CREATE EXTENSION (pg_trgm: device search, decision 013).
    db = await PGlite.create({ dataDir, extensions: { pg_trgm } });
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: opts.port ?? 0, maxConnections: opts.maxConnections ?? 8 });
    pinExtendedProtocolSequences(server);
    await server.start();
  } catch (error) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    await releaseLock();
    throw new Error(`Cannot start embedded Postgres in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`);
  }

  // getServerConn() is "host:port" once listening; with port 0 that is the port the OS picked.
  const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  const runningServer = server;
  const runningDb = db;
  let stopping: Promise<void> | undefined;

  return {
    url,
    stop() {
      stopping ??= (async () => {
        await runningServer.stop();
        // stop() detaches handlers without awaiting them; a detach may still roll back an open transaction.
        await new Promise((resolve) => setImmediate(resolve));
        await runningDb.close();
        await releaseLock();
      })();
      return stopping;
    },
  };
}

/**
 * Opens a stopped embedded database's data directory in this process (no socket server), for backup and restore:
 * locked like a running one, so it refuses a directory that `npm start` is serving. `loadDataDir` fills a new
 * directory from a `dumpDataDir` archive.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  options: { loadDataDir?: Blob } = {},
): Promise<{ db: PGlite; close(): Promise<void> }> {
  const resolved = path.resolve(dataDir);
  await mkdir(resolved, { recursive: true });
  const releaseLock = await lockDataDir(resolved);
  try {
    const db = await PGlite.create({
      dataDir: resolved,
      extensions: { pg_trgm },
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
    return {
      db,
      async close() {
        await db.close();
        await releaseLock();
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

/**
 * PGlite does not lock its data directory (no postmaster.pid), and two processes writing one directory
 * corrupt it, so a pid file guards it. A file left by a dead process is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: "wx" });
      openDataDirs.add(dataDir);
      return async () => {
        openDataDirs.delete(dataDir);
        await rm(lockPath, { force: true });
      };
    } catch (error) {
      if (!isErrnoCode(error, "EEXIST")) throw error;
    }
    const holder = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
    const heldByUs = holder === process.pid && openDataDirs.has(dataDir);
    if (heldByUs || (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder))) {
      throw new Error(
        `Embedded Postgres data directory ${dataDir} is in use by process ${holder}${holder === process.pid ? " (this process)" : ""}. Stop it first, or delete ${lockPath} if that process is not a Linkscope database.`,
      );
    }
    await rm(lockPath, { force: true });
  }
  throw new Error(`Cannot lock embedded Postgres data directory ${dataDir} (${lockPath}).`);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return isErrnoCode(error, "EPERM");
  }
}

function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}
