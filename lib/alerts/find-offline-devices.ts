import { Prisma, type Db } from "@/lib/db/client.ts";
import type { FleetScope } from "@/lib/fleet/connected-devices.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const OfflineDeviceSchema = z.object({ deviceId: z.string(), offlineSince: SqlDate });
export type OfflineDevice = z.infer<typeof OfflineDeviceSchema>;

const offlineSince = Prisma.sql`COALESCE(d.last_disconnected_at, d.state_occurred_at)`;

/** Devices offline since before `cutoff` (longest first, at most `limit`) and how many there are in all. */
export async function findDevicesOfflineSince(
  db: Db | Prisma.TransactionClient,
  input: { cutoff: Date; scope: FleetScope; limit: number; excludeDeviceIds?: string[] },
): Promise<{ devices: OfflineDevice[]; total: number }> {
  const sourceFilter = input.scope.source ? Prisma.sql`AND d.source = ${input.scope.source}` : Prisma.empty;
  const nodeFilter = input.scope.brokerNode ? Prisma.sql`AND d.broker_node = ${input.scope.brokerNode}` : Prisma.empty;
  const excluded = input.excludeDeviceIds?.length ? Prisma.sql`AND d.id <> ALL(${input.excludeDeviceIds}::text[])` : Prisma.empty;
  const rows = await queryRows(
    db,
    "findOfflineDevices",
    OfflineDeviceSchema.extend({ total: z.number() }),
    Prisma.sql`
    SELECT d.id AS "deviceId", ${offlineSince} AS "offlineSince", COUNT(*) OVER ()::int AS total
    FROM devices d
    WHERE d.state = 'offline' AND ${offlineSince} <= ${input.cutoff} ${sourceFilter} ${nodeFilter} ${excluded}
    ORDER BY ${offlineSince} ASC, d.id ASC
    LIMIT ${input.limit}`,
  );
  return { devices: rows.map(({ deviceId, offlineSince: since }) => ({ deviceId, offlineSince: since })), total: rows[0]?.total ?? 0 };
}

/** The offline-since time of each listed device that is offline now (devices online or gone are left out). */
export async function loadOfflineSince(db: Db | Prisma.TransactionClient, deviceIds: string[]): Promise<Map<string, Date>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await queryRows(
    db,
    "loadOfflineSince",
    OfflineDeviceSchema,
    Prisma.sql`
    SELECT d.id AS "deviceId", ${offlineSince} AS "offlineSince" FROM devices d
    WHERE d.id = ANY(${deviceIds}::text[]) AND d.state = 'offline' AND ${offlineSince} IS NOT NULL`,
  );
  return new Map(rows.map((row) => [row.deviceId, row.offlineSince]));
}
