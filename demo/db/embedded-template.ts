import { rmSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";

/**
 * Set by the integration suite's global setup (lib/testing/template-database-setup.ts) to a directory of this run,
 * shared by every test worker and removed when the run ends.
 */
export const TEST_RUN_DIR_ENV = "LINKSCOPE_TEST_RUN_DIR";

const READY = "READY";
const POLL_MS = 250;

let ownTemplate: Promise<string> | undefined;

/**
 * Fills `dataDir` with a copy of an embedded database that is initialised and migrated to head. A PGlite start on an
 * empty directory runs initdb in WASM (20–25 s of CPU here, minutes on a loaded machine) and the migrations add more,
 * so a run builds one template and every test file that needs a migrated embedded database copies it (as
 * createTestDatabase copies a Postgres template). The first file to ask builds it; files in other workers wait.
 */
export async function copyMigratedEmbeddedDataDir(dataDir: string): Promise<void> {
  const template = await migratedTemplateDir();
  await cp(template, dataDir, { recursive: true });
}

function migratedTemplateDir(): Promise<string> {
  const runDir = process.env[TEST_RUN_DIR_ENV];
  ownTemplate ??= runDir ? sharedTemplate(runDir) : processTemplate();
  return ownTemplate;
}

/** A file run on its own (no global setup): a template for this process, removed when it exits. */
async function processTemplate(): Promise<string> {
  const dir = path.join(tmpdir(), `linkscope-pglite-template-${process.pid}`);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return buildTemplate(dir);
}

async function sharedTemplate(runDir: string): Promise<string> {
  const dir = path.join(runDir, "pglite-template");
  const lock = `${dir}.lock`;
  for (;;) {
    if (await exists(path.join(dir, READY))) return path.join(dir, "data");
    try {
      await mkdir(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (await holderDied(lock)) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    try {
      await writeFile(path.join(lock, "pid"), String(process.pid));
      if (!(await exists(path.join(dir, READY)))) await buildTemplate(dir);
      return path.join(dir, "data");
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/** Builds beside `dir` and renames it into place with its READY mark, so a reader never sees half a template. */
async function buildTemplate(dir: string): Promise<string> {
  await mkdir(path.dirname(dir), { recursive: true });
  const building = await mkdtemp(`${dir}-building-`);
  const data = path.join(building, "data");
  const embedded = await startEmbeddedPostgres({ dataDir: data, maxConnections: 2 });
  try {
    await applyMigrations(embedded.url);
  } finally {
    await embedded.stop();
  }
  await writeFile(path.join(building, READY), new Date().toISOString());
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
  return path.join(dir, "data");
}

async function holderDied(lock: string): Promise<boolean> {
  const pid = Number(await readFile(path.join(lock, "pid"), "utf8").catch(() => ""));
  // No pid yet: the holder has just made the lock, or died right after making it.
  if (!Number.isInteger(pid) || pid <= 0)
    return (
      Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        )) >
      60_000
    );
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
