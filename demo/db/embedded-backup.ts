import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { openEmbeddedDatabase } from "./embedded-postgres.ts";

/** The lock file is ours, not the database's: it must not travel in a backup. */
const LOCK_FILE = "linkscope-embedded.pid";

/**
 * Writes the embedded database in `dataDir` to `file` as PGlite's gzipped tar of its data directory (dumpDataDir).
 * The database must be stopped (`npm start` not running): the directory is locked while the archive is made.
 */
export async function backupEmbeddedDatabase(input: { dataDir: string; file: string }): Promise<{ bytes: number }> {
  const opened = await openEmbeddedDatabase(input.dataDir);
  try {
    const archive = await opened.db.dumpDataDir("gzip");
    const bytes = Buffer.from(await archive.arrayBuffer());
    await writeFile(input.file, bytes, { flag: "wx" });
    return { bytes: bytes.length };
  } finally {
    await opened.close();
  }
}

/**
 * Restores a backup made by backupEmbeddedDatabase into `dataDir`, which must be missing or empty (never over a
 * live database); then checks that the restored database answers.
 */
export async function restoreEmbeddedDatabase(input: { file: string; dataDir: string }): Promise<void> {
  const existing = await readdir(input.dataDir).catch(() => []);
  if (existing.filter((name) => name !== LOCK_FILE).length > 0) {
    throw new Error(
      `${input.dataDir} is not empty: restore into a new directory, then point LINKSCOPE_DATA_DIR at its parent (or move it into place).`,
    );
  }
  if (!(await stat(input.file)).isFile()) throw new Error(`${input.file} is not a file`);
  const archive = new Blob([new Uint8Array(await readFile(input.file))]);
  const opened = await openEmbeddedDatabase(input.dataDir, { loadDataDir: archive });
  try {
    await opened.db.query("SELECT 1");
  } finally {
    await opened.close();
  }
}
