import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

// Apart from test-database.ts, which e2e's global setup and the bench scripts load outside vitest.
/**
 * For an integration test file (or a describe block): a test database created in `beforeAll` and dropped in `afterAll`.
 * Call it before the file's own hooks: its database then exists in theirs, and vitest runs `afterAll` hooks in reverse,
 * so whatever they start is stopped before the database is dropped. Read `db` and `url` inside tests and hooks.
 */
export function useTestDatabase(): Readonly<Pick<TestDatabase, "db" | "url">> {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  const created = (): TestDatabase => {
    if (!database) throw new Error("the test database is created in beforeAll; read it inside a test or a hook");
    return database;
  };
  return {
    get db() {
      return created().db;
    },
    get url() {
      return created().url;
    },
  };
}
