import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createDb, type Db } from "@/lib/db/client.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.ts";
import { copyMigratedEmbeddedDataDir } from "./embedded-template.ts";

export type MigratedEmbeddedDatabase = { readonly db: Db; readonly dataDir: string; readonly url: string };

/**
 * For an integration test file: the embedded database `npm start` runs on (PGlite through its socket), in a fresh data
 * directory copied from the run's migrated template (embedded-template.ts), started before the file's tests and
 * stopped and removed after them. Read `db`, `dataDir` and `url` inside tests, once `beforeAll` has run (`url` for a
 * second client, as a second process would open one).
 */
export function useMigratedEmbeddedDatabase(name: string): MigratedEmbeddedDatabase {
  let dataDir: string | undefined;
  let embedded: EmbeddedPostgres | undefined;
  let db: Db | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), `linkscope-pglite-${name}-`));
    await copyMigratedEmbeddedDataDir(dataDir);
    embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 6 });
    // Nothing to apply on the run's template: this checks that it is at head.
    await applyMigrations(embedded.url);
    db = createDb(embedded.url, 3);
  }, 180_000);
  afterAll(async () => {
    await db?.$disconnect();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the embedded database is started in beforeAll; read it inside a test");
    return value;
  };
  return {
    get db() {
      return started(db);
    },
    get dataDir() {
      return started(dataDir);
    },
    get url() {
      return started(embedded).url;
    },
  };
}
