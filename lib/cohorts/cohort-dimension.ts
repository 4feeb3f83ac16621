import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";

/** What devices are grouped by: a metadata column, or one label's value (`label:model`). */
export type CohortDimension = { kind: "firmware" | "region" | "network" } | { kind: "label"; key: string };

export const CohortDimensionSchema = z
  .string()
  .trim()
  .max(200)
  .transform((text, ctx): CohortDimension => {
    if (text === "firmware" || text === "region" || text === "network") return { kind: text };
    if (text.startsWith("label:") && text.length > "label:".length) return { kind: "label", key: text.slice("label:".length) };
    ctx.addIssue({ code: "custom", message: `must be firmware, region, network or label:<key>, got "${text.slice(0, 60)}"` });
    return z.NEVER;
  });

export function formatCohortDimension(dimension: CohortDimension): string {
  return dimension.kind === "label" ? `label:${dimension.key}` : dimension.kind;
}

/** The cohort a devices row (aliased `d`) belongs to; "" when the device has no value. */
export function cohortValueSql(dimension: CohortDimension): Prisma.Sql {
  switch (dimension.kind) {
    case "firmware":
      return Prisma.sql`COALESCE(d.firmware, '')`;
    case "region":
      return Prisma.sql`COALESCE(d.region, '')`;
    case "network":
      return Prisma.sql`COALESCE(d.network, '')`;
    case "label":
      return Prisma.sql`COALESCE(d.labels ->> ${dimension.key}, '')`;
  }
}
