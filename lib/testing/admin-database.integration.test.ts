import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase, dropDatabase, testServerUrl } from "./admin-database.ts";

const serverUrl = testServerUrl();
const created: string[] = [];

function newName(): string {
  const name = `linkscope_test_admin_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  created.push(name);
  return name;
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of created) await dropDatabase(serverUrl, name);
});

describe("createDatabase", () => {
  it("creates the database and applies its settings", async () => {
    const name = newName();
    await createDatabase(serverUrl, name, { then: [`ALTER DATABASE "${name}" SET synchronous_commit = off`] });
    expect(await databaseExists(name)).toBe(true);
  });

  it("drops the database again when a statement after the CREATE fails, and throws that statement's error", async () => {
    const name = newName();
    await expect(createDatabase(serverUrl, name, { then: [`ALTER DATABASE "${name}" SET no_such_setting = 1`] })).rejects.toThrow(
      /unrecognized configuration parameter "no_such_setting"/,
    );
    expect(await databaseExists(name)).toBe(false);
  });

  it("drops the database again when the connection is lost after the CREATE", async () => {
    const name = newName();
    await expect(createDatabase(serverUrl, name, { then: ["SELECT pg_terminate_backend(pg_backend_pid())"] })).rejects.toThrow(
      /terminating connection/,
    );
    expect(await databaseExists(name)).toBe(false);
  });
});
