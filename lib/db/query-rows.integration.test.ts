import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { queryRows } from "./query-rows.ts";
import { SqlBigInt, SqlCount, SqlDate, SqlNumber } from "./sql-values.ts";

describe("queryRows against Postgres", () => {
  const database = useTestDatabase();

  it("parses what the driver returns for count(*), bigint, numeric, int and timestamptz", async () => {
    const rows = await queryRows(
      database.db,
      "valueKinds",
      z.object({ n: SqlCount, id: SqlBigInt, ratio: SqlNumber, small: z.number(), at: SqlDate }),
      Prisma.sql`SELECT count(*) AS n, 9007199254740993::bigint AS id, 2.50::numeric AS ratio, 7::int AS small, TIMESTAMPTZ '2026-12-02 08:00:00+00' AS at FROM generate_series(1, 3)`,
    );
    expect(rows).toEqual([{ n: 3, id: 9007199254740993n, ratio: 2.5, small: 7, at: new Date("2026-12-02T08:00:00Z") }]);
  });

  it("throws naming the query and the field when a column is not what the schema says", async () => {
    await expect(queryRows(database.db, "countWrong", z.object({ n: z.number() }), Prisma.sql`SELECT count(*) AS n`)).rejects.toThrow(
      /^countWrong: row 0, field "n": /,
    );
  });
});
