import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { TEST_RUN_DIR_ENV } from "@/demo/db/embedded-template.ts";
import { createTemplateDatabase, TEMPLATE_DATABASE_ENV } from "./test-database.ts";

/**
 * Vitest global setup of the integration projects: migrates one template database per run, which every test
 * file's createTestDatabase copies (`CREATE DATABASE … TEMPLATE`), and drops it when the run ends; and a directory of
 * the run, where the first file that needs a migrated embedded database builds its template (demo/db/embedded-template.ts).
 * Test workers are started after this and inherit the variables.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Both integration projects (shared and isolated workers) name this setup; the first one's template serves both.
  if (process.env[TEMPLATE_DATABASE_ENV]) return async () => {};
  const template = await createTemplateDatabase();
  process.env[TEMPLATE_DATABASE_ENV] = template.name;
  const runDir = await mkdtemp(path.join(tmpdir(), "linkscope-test-run-"));
  process.env[TEST_RUN_DIR_ENV] = runDir;
  return async () => {
    delete process.env[TEMPLATE_DATABASE_ENV];
    delete process.env[TEST_RUN_DIR_ENV];
    await template.drop();
    await rm(runDir, { recursive: true, force: true });
  };
}
