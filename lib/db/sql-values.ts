import { z } from "zod";

/**
 * Schemas for the values Postgres hands back through Prisma's raw queries and node-postgres: `count(*)` and
 * `bigint` columns arrive as BigInt, `numeric` as a Decimal (Prisma) or a string (pg), `int` and `float8` as numbers.
 */

/** A whole number the code handles as `number` (counts, sums): int, or a bigint within 2^53. */
export const SqlCount = z.union([z.number().int(), z.bigint()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    ctx.addIssue({ code: "custom", message: `${value} is beyond a safe integer` });
    return z.NEVER;
  }
  return Number(value);
});

/** Any number the code handles as `number`: float8, int, bigint, or numeric (Decimal or its text). */
export const SqlNumber = z
  .union([
    z.number(),
    z.bigint(),
    z.string().regex(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i),
    z.custom<{ toNumber(): number }>(
      (value) => typeof value === "object" && value !== null && typeof (value as { toNumber?: unknown }).toNumber === "function",
      "is not a number",
    ),
  ])
  .transform((value) => (typeof value === "object" ? value.toNumber() : Number(value)));

/** A bigint id or ordering kept as BigInt. */
export const SqlBigInt = z.bigint();

/** A timestamp (timestamptz arrives as a Date). */
export const SqlDate = z.date();
