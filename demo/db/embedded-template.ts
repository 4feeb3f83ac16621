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

type TemplateKind = "initialised" | "migrated";

const templates = new Map<TemplateKind, Promise<string>>();

/**
 * Fills `dataDir` with a copy of an embedded database that is initialised and migrated to head. A PGlite start on an
 * empty directory runs initdb in WASM (20–25 s of CPU here, minutes on a loaded machine) and the migrations add more,
 * so a run builds one template and every test file that needs a migrated embedded database copies it (as
 * createTestDatabase copies a Postgres template). The first file to ask builds it; files in other workers wait.
 */
export async function copyMigratedEmbeddedDataDir(dataDir: string): Promise<void> {
  await cp(await templateDir("migrated"), dataDir, { recursive: true });
}

/** The same for an embedded database that is initialised (initdb has run) and has no migration applied. */
export async function copyInitialisedEmbeddedDataDir(dataDir: string): Promise<void> {
  await cp(await templateDir("initialised"), dataDir, { recursive: true });
}

let templatesRoot: string | undefined;

function templateDir(kind: TemplateKind): Promise<string> {
  let template = templates.get(kind);
  if (!template) {
    template = sharedTemplate(templatesRootDir(), kind);
    templates.set(kind, template);
  }
  return template;
}

/** The run's directory; a file run on its own (no global setup) keeps its templates for its process until it exits. */
function templatesRootDir(): string {
  if (templatesRoot) return templatesRoot;
  const runDir = process.env[TEST_RUN_DIR_ENV];
  const root = runDir ?? path.join(tmpdir(), `linkscope-pglite-templates-${process.pid}`);
  if (!runDir) process.once("exit", () => rmSync(root, { recursive: true, force: true }));
  templatesRoot = root;
  return root;
}

async function sharedTemplate(root: string, kind: TemplateKind): Promise<string> {
  const dir = path.join(root, `pglite-${kind}`);
  const lock = `${dir}.lock`;
  for (;;) {
    if (await exists(path.join(dir, READY))) return path.join(dir, "data");
    try {
      await mkdir(lock, { recursive: false });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        await mkdir(root, { recursive: true });
        continue;
      }
      if (code !== "EEXIST") throw error;
      if (await holderDied(lock)) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    try {
      await writeFile(path.join(lock, "pid"), String(process.pid));
      if (!(await exists(path.join(dir, READY)))) await buildTemplate(dir, kind);
      return path.join(dir, "data");
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/**
 * Builds beside `dir` and renames it into place with its READY mark, so a reader never sees half a template. The
 * migrated template starts from a copy of the initialised one: initdb runs once per run.
 */
async function buildTemplate(dir: string, kind: TemplateKind): Promise<void> {
  const building = await mkdtemp(`${dir}-building-`);
  const data = path.join(building, "data");
  if (kind === "migrated") await copyInitialisedEmbeddedDataDir(data);
  const embedded = await startEmbeddedPostgres({ dataDir: data, maxConnections: 2 });
  try {
    if (kind === "migrated") await applyMigrations(embedded.url);
  } finally {
    await embedded.stop();
  }
  await writeFile(path.join(building, READY), new Date().toISOString());
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
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
