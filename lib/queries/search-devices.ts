import { Prisma, type Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import { encodeDeviceSearchCursor, type DeviceSearchCursor } from "./cursor.ts";
import { escapeLikePattern } from "./escape-like-pattern.ts";

export type DeviceState = "online" | "offline" | "unknown";

export type DeviceListItem = {
  id: string;
  state: DeviceState;
  stateOccurredAt: Date | null;
  lastConnectedAt: Date | null;
  lastDisconnectedAt: Date | null;
  lastReason: Reason | null;
  lastCode: string | null;
  disconnectCount: number;
  failedConnectCount: number;
  /** 0 exact id, 1 id starts with the query, 2 id contains it (case-insensitive). */
  matchRank: number;
};

export type SearchDevicesInput = {
  query?: string | undefined;
  state?: DeviceState | undefined;
  limit: number;
  cursor?: DeviceSearchCursor | undefined;
};

export type DeviceSearchPage = { devices: DeviceListItem[]; nextCursor: string | null };

type DeviceRow = Omit<DeviceListItem, "matchRank"> & { matchRank: number };

/**
 * Case-insensitive substring search on device IDs; exact and prefix matches sort first, then by id.
 * Keyset-paged on (matchRank, id) so pages stay stable while devices are added.
 */
export async function searchDevices(db: Db, input: SearchDevicesInput): Promise<DeviceSearchPage> {
  const query = input.query?.trim() ? input.query.trim() : null;
  const rank = query
    ? Prisma.sql`CASE WHEN id = ${query} THEN 0 WHEN id ILIKE ${`${escapeLikePattern(query)}%`} ESCAPE '\\' THEN 1 ELSE 2 END`
    : Prisma.sql`0`;
  const matches = query ? Prisma.sql`AND id ILIKE ${`%${escapeLikePattern(query)}%`} ESCAPE '\\'` : Prisma.empty;
  const inState = input.state ? Prisma.sql`AND state = CAST(${input.state} AS "DeviceState")` : Prisma.empty;
  const after = input.cursor
    ? Prisma.sql`WHERE ("matchRank", id) > (${input.cursor.rank}, ${input.cursor.id})`
    : Prisma.empty;

  const rows = await db.$queryRaw<DeviceRow[]>`
    SELECT * FROM (
      SELECT id,
             state::text AS state,
             state_occurred_at AS "stateOccurredAt",
             last_connected_at AS "lastConnectedAt",
             last_disconnected_at AS "lastDisconnectedAt",
             last_reason::text AS "lastReason",
             last_code AS "lastCode",
             disconnect_count AS "disconnectCount",
             failed_connect_count AS "failedConnectCount",
             ${rank}::int AS "matchRank"
      FROM devices
      WHERE TRUE ${matches} ${inState}
    ) AS matched
    ${after}
    ORDER BY "matchRank", id
    LIMIT ${input.limit + 1}`;

  const devices = rows.slice(0, input.limit);
  const last = devices.at(-1);
  const nextCursor = rows.length > input.limit && last ? encodeDeviceSearchCursor({ rank: last.matchRank, id: last.id }) : null;
  return { devices, nextCursor };
}
