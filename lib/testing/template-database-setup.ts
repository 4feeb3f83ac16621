import { createTemplateDatabase, TEMPLATE_DATABASE_ENV } from "./test-database.ts";

/**
 * Vitest global setup of the integration projects: migrates one template database per run, which every test
 * file's createTestDatabase copies (`CREATE DATABASE … TEMPLATE`), and drops it when the run ends. Test workers
 * are started after this and inherit the variable.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Both integration projects (shared and isolated workers) name this setup; the first one's template serves both.
  if (process.env[TEMPLATE_DATABASE_ENV]) return async () => {};
  const template = await createTemplateDatabase();
  process.env[TEMPLATE_DATABASE_ENV] = template.name;
  return async () => {
    delete process.env[TEMPLATE_DATABASE_ENV];
    await template.drop();
  };
}
