import { Prisma, type Db } from "@/lib/db/client.ts";
import { DeviceStateSchema, type DeviceListFilter } from "@/lib/devices/device-list-params.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { countDevices } from "./count-devices.ts";
import type { DeviceDetail } from "./get-device.ts";
import { encodeDeviceListCursor, type DeviceListCursor } from "./cursor.ts";
import { buildDeviceListOrder, buildDeviceListWhere, buildMatchRank, buildSortKey, toCursorKey } from "./device-list-sql.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

export type { DeviceState } from "@/lib/devices/device-list-params.ts";

/** A device as the list shows and exports it: its row without the client IP. */
export type DeviceListItem = Omit<DeviceDetail, "lastClientIp" | "updatedAt" | "stats"> & {
  /** 0 exact id, 1 id starts with the query, 2 id contains it (case-insensitive). */
  matchRank: number;
};

export type SearchDevicesInput = Partial<DeviceListFilter> & {
  limit: number;
  cursor?: DeviceListCursor | undefined;
  /** Also count every match (the first page of a list; later pages skip the count). */
  includeTotal?: boolean;
};

export type DeviceSearchPage = { devices: DeviceListItem[]; nextCursor: string | null; total: number | null };

const DeviceRowSchema = z.object({
  id: z.string(),
  state: DeviceStateSchema,
  stateOccurredAt: SqlDate.nullable(),
  lastConnectedAt: SqlDate.nullable(),
  lastDisconnectedAt: SqlDate.nullable(),
  lastReason: ReasonSchema.nullable(),
  lastCode: z.string().nullable(),
  source: z.string().nullable(),
  brokerNode: z.string().nullable(),
  firmware: z.string().nullable(),
  region: z.string().nullable(),
  network: z.string().nullable(),
  labels: z.unknown(),
  connectCount: z.number(),
  disconnectCount: z.number(),
  failedConnectCount: z.number(),
  firstSeenAt: SqlDate,
  matchRank: z.number(),
  sortKey: z.unknown(),
}) satisfies z.ZodType<DeviceListItem & { sortKey: unknown }>;

/**
 * One page of the device list: filtered, searched by ID (prefix or substring, case-insensitive; the ID sort
 * puts exact and prefix matches first), sorted, and keyset-paged so pages stay stable while devices are added.
 */
export async function searchDevices(db: Db, input: SearchDevicesInput): Promise<DeviceSearchPage> {
  const filter: DeviceListFilter = { match: "substring", sort: "id", dir: "asc", ...input };
  const where = buildDeviceListWhere(filter);
  const { orderBy, after } = buildDeviceListOrder(filter, input.cursor);

  const [rows, total] = await Promise.all([
    queryRows(
      db,
      "searchDevices",
      DeviceRowSchema,
      Prisma.sql`
      SELECT id,
             state::text AS state,
             state_occurred_at AS "stateOccurredAt",
             last_connected_at AS "lastConnectedAt",
             last_disconnected_at AS "lastDisconnectedAt",
             last_reason::text AS "lastReason",
             last_code AS "lastCode",
             source,
             broker_node AS "brokerNode",
             firmware,
             region,
             network,
             labels,
             connect_count AS "connectCount",
             disconnect_count AS "disconnectCount",
             failed_connect_count AS "failedConnectCount",
             first_seen_at AS "firstSeenAt",
             ${buildMatchRank(filter)}::int AS "matchRank",
             ${buildSortKey(filter.sort)} AS "sortKey"
      FROM devices
      WHERE ${where} AND ${after}
      ORDER BY ${orderBy}
      LIMIT ${input.limit + 1}`,
    ),
    input.includeTotal ? countDevices(db, filter) : Promise.resolve(null),
  ]);

  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > input.limit && last
      ? encodeDeviceListCursor({ sort: filter.sort, rank: last.matchRank, key: toCursorKey(last.sortKey), id: last.id })
      : null;
  return {
    devices: page.map(({ sortKey: _sortKey, ...device }) => ({ ...device, labels: redactSecrets(device.labels) })),
    nextCursor,
    total,
  };
}
