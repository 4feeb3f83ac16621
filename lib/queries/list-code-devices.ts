import type { Db } from "@/lib/db/client.ts";

export type CodeDevice = { deviceId: string; events: number; lastAt: Date };

/** Bound on the affected-devices list of one code. */
export const MAX_CODE_DEVICES = 50;

/** Devices that reported `code` in [from, to), most affected first (uses the (code, occurred_at) index). */
export async function listCodeDevices(db: Db, input: { code: string; from: Date; to: Date }): Promise<CodeDevice[]> {
  return db.$queryRaw<CodeDevice[]>`
    SELECT device_id AS "deviceId", COUNT(*)::int AS events, MAX(occurred_at) AS "lastAt"
    FROM connection_events
    WHERE code = ${input.code} AND occurred_at >= ${input.from} AND occurred_at < ${input.to}
    GROUP BY device_id
    ORDER BY events DESC, device_id
    LIMIT ${MAX_CODE_DEVICES}`;
}
