import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, readDatabaseErrorLine } from "./database-unavailable.ts";

function pgError(code: string, message = "failed"): Error {
  return Object.assign(new Error(message), { code });
}

/** The shape Prisma's driver adapter wraps a node-postgres error in. */
function prismaAdapterError(code: string): Error {
  return Object.assign(new Error("\nInvalid `prisma.$executeRaw()` invocation:\n\n\nthe database said no"), {
    code: "P2010",
    meta: { driverAdapterError: { cause: { originalCode: code, kind: "postgres" } } },
  });
}

describe("isDatabaseUnavailable", () => {
  it.each([
    ["connection failure", pgError("08006")],
    ["too many connections", pgError("53300")],
    ["admin shutdown", pgError("57P01")],
    ["statement timeout", pgError("57014")],
    ["I/O error", pgError("58030")],
    ["serialization failure", pgError("40001")],
    ["deadlock", pgError("40P01")],
    ["lock not available", pgError("55P03")],
    ["object in use", pgError("55006")],
    ["Prisma cannot reach the database", pgError("P1001")],
    ["refused socket", pgError("ECONNREFUSED")],
    ["deadlock behind Prisma's adapter", prismaAdapterError("40P01")],
    ["a lock timeout behind Prisma's adapter", prismaAdapterError("55P03")],
    ["a terminated connection", new Error("Connection terminated unexpectedly")],
    [
      "a cause two levels down",
      Object.assign(new Error("write failed"), { cause: Object.assign(new Error("x"), { cause: pgError("40P01") }) }),
    ],
  ])("retries the batch after %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a value the type refuses (lone surrogate)", pgError("22P02")],
    ["bytes that are not UTF-8", pgError("22021")],
    ["a duplicate key", pgError("23505")],
    ["a check constraint", pgError("23514")],
    ["nesting too deep for jsonb", pgError("54001")],
    ["a refusal behind Prisma's adapter", prismaAdapterError("22P02")],
    ["a stack overflow while serializing", new RangeError("Maximum call stack size exceeded")],
  ])("isolates the records after %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("readDatabaseErrorLine", () => {
  it("keeps the database's own words from Prisma's multi-line message", () => {
    expect(readDatabaseErrorLine(prismaAdapterError("22P02"))).toBe("the database said no");
  });
});
