import { Prisma, type Db } from "@/lib/db/client.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { reasonRollupRelation, type FleetFilter } from "./fleet-filter.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

const NewCodeSchema = z.object({
  code: z.string(),
  firstSeenAt: SqlDate,
  firstDeviceId: z.string(),
  reason: ReasonSchema,
  /** Disconnects and failed connects with the code in the range (of the filtered devices). */
  count: z.number(),
  devices: z.number(),
});
export type NewCode = z.infer<typeof NewCodeSchema>;

/**
 * Codes first seen fleet-wide inside [from, to) (never before it, code_first_seen), with their counts in the
 * range; with a filter, only codes the filtered devices had.
 */
export async function listNewCodes(db: Db, input: { from: Date; to: Date; filter: FleetFilter; limit: number }): Promise<NewCode[]> {
  return queryRows(
    db,
    "listNewCodes",
    NewCodeSchema,
    Prisma.sql`
    SELECT f.code, f.first_seen_at AS "firstSeenAt", f.first_device_id AS "firstDeviceId",
           mode() WITHIN GROUP (ORDER BY x.reason::text) AS reason,
           SUM(x.count)::int AS count, COUNT(DISTINCT x.device_id)::int AS devices
    FROM code_first_seen f
    JOIN ${reasonRollupRelation(input.filter, { perDevice: true })} x
      ON x.code = f.code AND x.bucket >= ${input.from} AND x.bucket < ${input.to} AND x.kind IN ('disconnected', 'connect_failed')
    WHERE f.first_seen_at >= ${input.from} AND f.first_seen_at < ${input.to}
    GROUP BY f.code, f.first_seen_at, f.first_device_id
    ORDER BY f.first_seen_at DESC, f.code
    LIMIT ${input.limit}`,
  );
}
