import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client.ts";
import { backupEmbeddedDatabase, restoreEmbeddedDatabase } from "@/demo/db/embedded-backup.ts";
import { startEmbeddedPostgres } from "@/demo/db/embedded-postgres.ts";
import { copyMigratedEmbeddedDataDir } from "@/demo/db/embedded-template.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { emqxLifecycleEvent } from "@/lib/testing/emqx-lifecycle.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function readEvents(url: string): Promise<unknown[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query("SELECT device_id, kind, occurred_at, dedupe_key FROM connection_events ORDER BY occurred_at, dedupe_key"))
      .rows;
  } finally {
    await client.end();
  }
}

// The source is a copy of the run's migrated template (initdb in WASM takes minutes on a loaded 2-core machine).
describe("embedded database backup and restore", () => {
  it(
    "restores a backup into a new directory with the same data, and refuses a running or non-empty directory",
    { timeout: 900_000 },
    async () => {
      const root = await mkdtemp(path.join(os.tmpdir(), "linkscope-backup-"));
      cleanups.push(() => rm(root, { recursive: true, force: true }));
      const dataDir = path.join(root, "data");
      const file = path.join(root, "backup.tar.gz");

      await copyMigratedEmbeddedDataDir(dataDir);
      const source = await startEmbeddedPostgres({ dataDir, maxConnections: 4 });
      cleanups.push(() => source.stop());
      const db = createDb(source.url, 2);
      const at = Date.now() - 60_000;
      await recordConnectionEvents(db, [
        emqxLifecycleEvent("backup-node", "backup-dev-1", "connected", at),
        emqxLifecycleEvent("backup-node", "backup-dev-2", "connected", at - 40 * 86_400_000),
      ]);
      await db.$disconnect();
      const before = await readEvents(source.url);
      expect(before).toHaveLength(2);

      await expect(backupEmbeddedDatabase({ dataDir, file })).rejects.toThrow(/in use by process/);
      await source.stop();
      const { bytes } = await backupEmbeddedDatabase({ dataDir, file });
      expect(bytes).toBeGreaterThan(0);

      await expect(restoreEmbeddedDatabase({ file, dataDir })).rejects.toThrow(/not empty/);
      const restoredDir = path.join(root, "restored");
      await restoreEmbeddedDatabase({ file, dataDir: restoredDir });

      const restored = await startEmbeddedPostgres({ dataDir: restoredDir, maxConnections: 4 });
      cleanups.push(() => restored.stop());
      expect(await applyMigrations(restored.url)).toEqual({ applied: [] });
      expect(await readEvents(restored.url)).toEqual(before);
    },
  );
});
