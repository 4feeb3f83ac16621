import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

/** Whether any source has ever delivered an event: an empty store means "not connected yet", not "a healthy fleet". */
export async function hasStoredEvents(db: Db): Promise<boolean> {
  const rows = await queryRows(
    db,
    "hasStoredEvents",
    z.object({ stored: z.boolean() }),
    Prisma.sql`SELECT EXISTS (SELECT 1 FROM connection_events) AS stored`,
  );
  return rows[0]?.stored ?? false;
}
