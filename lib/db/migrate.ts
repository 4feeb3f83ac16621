import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { z } from "zod";
import { pgErrorMessage, withPgClient } from "./pg-client.ts";

export type ApplyMigrationsOptions = {
  /** Defaults to `prisma/migrations` of this repository. */
  migrationsDir?: string;
  log?: (msg: string) => void;
  /** How long to wait for another process's migration lock (default 120 s). */
  lockTimeoutMs?: number;
};

type LocalMigration = { name: string; sql: string; checksum: string };

const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

// The key `prisma migrate` itself locks, so this runner and a real `prisma migrate deploy` exclude each other.
const PRISMA_ADVISORY_LOCK_KEY = 72707369;
const LOCK_POLL_MS = 250;

// Prisma's own DDL for the history table (schema engine, PostgreSQL flavour), so `prisma migrate deploy`
// recognises a database migrated by this runner and vice versa.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

const migrationRowSchema = z.object({
  migration_name: z.string(),
  checksum: z.string(),
  finished_at: z.date().nullable(),
  rolled_back_at: z.date().nullable(),
  logs: z.string().nullable(),
});
type MigrationRow = z.infer<typeof migrationRowSchema>;

/**
 * Applies `prisma/migrations/<name>/migration.sql` files not yet recorded in `_prisma_migrations`, in name
 * order, each in its own transaction, recording them exactly as `prisma migrate deploy` would.
 * Refuses to run when an applied migration was edited or a failed migration is recorded.
 */
export async function applyMigrations(databaseUrl: string, opts: ApplyMigrationsOptions = {}): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const local = await readLocalMigrations(migrationsDir);

  return withPgClient(databaseUrl, async (client) => {
    await acquireMigrationLock(client, opts.lockTimeoutMs ?? 120_000);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const rows = await readMigrationRows(client);
      const pending = findPendingMigrations(local, rows, log);
      const applied: string[] = [];
      for (const migration of pending) {
        if (await applyOneMigration(client, migration)) {
          applied.push(migration.name);
          log(`applied migration ${migration.name}`);
        }
      }
      if (applied.length === 0) log("database schema is up to date, no migration applied");
      return { applied };
    } finally {
      await releaseMigrationLock(client);
    }
  });
}

/** Prisma's checksum: lowercase, zero-padded sha256 hex of the migration script. */
export function computeMigrationChecksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** Same tolerance as Prisma's `script_matches_checksum`: line-ending variants and its old unpadded format. */
function scriptMatchesChecksum(sql: string, checksum: string): boolean {
  const variants = [sql, sql.replaceAll("\r\n", "\n"), sql.replaceAll("\r\n", "\n").replaceAll("\n", "\r\n")];
  return variants.some((variant) => {
    const digest = createHash("sha256").update(variant, "utf8").digest();
    const padded = digest.toString("hex");
    const unpadded = Array.from(digest, (byte) => byte.toString(16)).join("");
    return checksum === padded || (checksum.length !== 64 && checksum === unpadded);
  });
}

async function readLocalMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`Cannot read migrations directory ${migrationsDir}: ${pgErrorMessage(error)}`);
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, "migration.sql");
    const exists = await stat(file).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) throw new Error(`Migration directory ${name} has no migration.sql (${file}).`);
    const sql = await readFile(file, "utf8");
    migrations.push({ name, sql, checksum: computeMigrationChecksum(sql) });
  }
  return migrations;
}

/**
 * Polls pg_try_advisory_lock rather than blocking in pg_advisory_lock so the wait is bounded without relying
 * on query cancellation (the PGlite socket server ignores cancel requests).
 *
 * On PGlite behind pglite-socket every connection shares one backend session, so the lock is re-entrant
 * across connections and never excludes anyone. That is tolerable: the socket server runs a transaction
 * from one connection at a time, and applyOneMigration re-checks inside its transaction whether another
 * connection recorded the migration first.
 */
async function acquireMigrationLock(client: pg.Client, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [PRISMA_ADVISORY_LOCK_KEY]);
    if (result.rows[0]?.locked === true) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})); another process is migrating this database.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

async function releaseMigrationLock(client: pg.Client): Promise<void> {
  // Closing the connection releases a session lock anyway; failing here must not hide the real outcome.
  await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
}

async function readMigrationRows(client: pg.Client): Promise<MigrationRow[]> {
  const result = await client.query(
    "SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at, migration_name",
  );
  return z.array(migrationRowSchema).parse(result.rows);
}

function findPendingMigrations(local: LocalMigration[], rows: MigrationRow[], log: (msg: string) => void): LocalMigration[] {
  // Prisma's rule: a row neither finished nor rolled back is a failed migration that must be resolved first.
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    const details = failed.map((row) => `${row.migration_name}${row.logs ? `: ${firstLine(row.logs)}` : ""}`).join("; ");
    throw new Error(
      `Refusing to migrate: the database records failed migration(s) ${details}. Fix the database, then mark them with \`prisma migrate resolve --rolled-back <name>\` or \`--applied <name>\`.`,
    );
  }

  const applied = rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null);
  const localByName = new Map(local.map((migration) => [migration.name, migration]));
  const edited = applied.filter((row) => {
    const migration = localByName.get(row.migration_name);
    return migration !== undefined && !scriptMatchesChecksum(migration.sql, row.checksum);
  });
  if (edited.length > 0) {
    throw new Error(
      `Refusing to migrate: migration(s) ${edited.map((row) => row.migration_name).join(", ")} changed after being applied (checksum mismatch). Restore the original migration.sql and put the change in a new migration.`,
    );
  }

  const appliedNames = new Set(applied.map((row) => row.migration_name));
  const unknown = [...appliedNames].filter((name) => !localByName.has(name));
  // Not fatal, as in `prisma migrate deploy`: a newer build may already have migrated this database.
  if (unknown.length > 0) log(`warning: database has migration(s) not found locally: ${unknown.join(", ")}`);

  return local.filter((migration) => !appliedNames.has(migration.name));
}

/** Returns false when another connection applied the migration meanwhile. */
async function applyOneMigration(client: pg.Client, migration: LocalMigration): Promise<boolean> {
  await client.query("BEGIN");
  try {
    const already = await client.query(
      "SELECT 1 FROM _prisma_migrations WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL",
      [migration.name],
    );
    if ((already.rowCount ?? 0) > 0) {
      await client.query("COMMIT");
      return false;
    }
    const startedAt = new Date();
    // No parameters: pg then uses the simple query protocol, which accepts a multi-statement script.
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    // Rolled back as a whole, so unlike Prisma no failed row is recorded: the database is as before.
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${pgErrorMessage(error)}`);
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}
