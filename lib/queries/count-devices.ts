import type { Db } from "@/lib/db/client.ts";
import type { DeviceListFilter } from "@/lib/devices/device-list-params.ts";
import { buildDeviceListWhere } from "./device-list-sql.ts";

/** How many devices the list's filter and search match (the same WHERE as searchDevices). */
export async function countDevices(db: Db, filter: DeviceListFilter): Promise<number> {
  const rows = await db.$queryRaw<{ total: number }[]>`
    SELECT count(*)::int AS total FROM devices WHERE ${buildDeviceListWhere(filter)}`;
  return rows[0]?.total ?? 0;
}
