import { Prisma, type Db } from "@/lib/db/client.ts";
import type { DeviceListFilter } from "@/lib/devices/device-list-params.ts";
import { buildDeviceListWhere } from "./device-list-sql.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

/** How many devices the list's filter and search match (the same WHERE as searchDevices). */
export async function countDevices(db: Db, filter: DeviceListFilter): Promise<number> {
  const rows = await queryRows(
    db,
    "countDevices",
    z.object({ total: z.number() }),
    Prisma.sql`
    SELECT count(*)::int AS total FROM devices WHERE ${buildDeviceListWhere(filter)}`,
  );
  return rows[0]?.total ?? 0;
}
