import { describe, expect, it } from "vitest";
import { useTestDatabase } from "./use-test-database.ts";

let database: ReturnType<typeof useTestDatabase>;
// The hooks of a skipped suite never run: its database stays as a file sees it before its beforeAll (none created).
describe.skip("a file's test database", () => {
  database = useTestDatabase();
});

describe("useTestDatabase", () => {
  it("says to read the database inside a test when it is read before beforeAll created it", () => {
    expect(() => database.db).toThrow(/read it inside a test/);
    expect(() => database.url).toThrow(/read it inside a test/);
  });
});
