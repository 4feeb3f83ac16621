import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const CodeDeviceSchema = z.object({ deviceId: z.string(), events: z.number(), lastAt: SqlDate });
export type CodeDevice = z.infer<typeof CodeDeviceSchema>;

/** Bound on the affected-devices list of one code. */
export const MAX_CODE_DEVICES = 50;

/** Devices that reported `code` in [from, to), most affected first (uses the (code, occurred_at) index). */
export async function listCodeDevices(db: Db, input: { code: string; from: Date; to: Date }): Promise<CodeDevice[]> {
  return queryRows(
    db,
    "listCodeDevices",
    CodeDeviceSchema,
    Prisma.sql`
    SELECT device_id AS "deviceId", COUNT(*)::int AS events, MAX(occurred_at) AS "lastAt"
    FROM connection_events
    WHERE code = ${input.code} AND occurred_at >= ${input.from} AND occurred_at < ${input.to}
    GROUP BY device_id
    ORDER BY events DESC, device_id
    LIMIT ${MAX_CODE_DEVICES}`,
  );
}
