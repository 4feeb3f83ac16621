import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryFirstRow, queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { EventKindSchema, ReasonSchema } from "@/lib/events/connection-event.ts";
import { countDeviceEvents, countChainedDrops, SAME_DROP_MS } from "./compute-session-stats.ts";
import { deviceEventsNewestFirst } from "./device-events-newest-first.ts";

/** Bound on the events the 24 h counts read, as the diagnosis bounds its own (MAX_DIAGNOSIS_EVENTS). */
export const MAX_COUNTED_EVENTS = 20_000;

export type RecentEventCounts = {
  connects: number;
  disconnects: number;
  drops: number;
  failedConnects: number;
  /** The device logged more than MAX_COUNTED_EVENTS in the range: the counts cover its newest ones. */
  truncated: boolean;
};

const CountsRowSchema = z.object({
  truncated: z.boolean(),
  twoFeeds: z.boolean(),
  connects: z.number().int(),
  disconnects: z.number().int(),
  failedConnects: z.number().int(),
  unchainedDrops: z.number().int(),
  chained: z.array(z.array(z.number())),
});

const CountedRowSchema = z.object({
  id: z.bigint(),
  kind: EventKindSchema,
  reason: ReasonSchema,
  code: z.string().nullable(),
  occurredAt: SqlDate,
  source: z.string(),
  feed: z.string().nullable(),
});

const inRangeOf = (device: { where: Prisma.Sql }, { since, now }: { since: Date; now: Date }) =>
  Prisma.sql`${device.where} AND e.occurred_at >= ${since} AND e.occurred_at <= ${now} AND e.kind <> 'device_report'`;

const DROP = Prisma.sql`(kind = 'disconnected' AND reason <> 'client_disconnect')`;
const RESET = Prisma.sql`(kind = 'connected' OR (kind = 'disconnected' AND reason = 'client_disconnect'))`;

/**
 * A device's connects, disconnects, drops and failed connects over [since, now], counted as countDeviceEvents counts
 * its newest MAX_COUNTED_EVENTS events, by Postgres: one row back instead of every event parsed in Node (a storming
 * device logs 20,000 a day). The walk countDeviceEvents does in order is window functions over the same order
 * (occurred_at, then id descending); only the drops that follow another drop of the same connection within
 * SAME_DROP_MS come back, to be folded in order here (a greedy chain has no set-based form). Records two feeds of one
 * source logged are matched one to one in order (mergeFeedRecords), which no window expresses: where the range has
 * two feeds of a source, the events are read and counted in Node.
 */
export async function countRecentDeviceEvents(
  db: Db,
  deviceId: string,
  range: { since: Date; now: Date },
  limit = MAX_COUNTED_EVENTS,
): Promise<RecentEventCounts> {
  const device = deviceEventsNewestFirst(deviceId);
  const inRange = inRangeOf(device, range);
  const row = await queryFirstRow(
    db,
    "countRecentDeviceEvents",
    CountsRowSchema,
    Prisma.sql`
    WITH newest AS (
      SELECT e.id, e.kind, e.reason, e.code, e.occurred_at AS at, e.source, e.feed,
             row_number() OVER (${device.orderBy}) AS newest
      FROM connection_events e WHERE ${inRange} ${device.orderBy} LIMIT ${limit + 1}
    ), counted AS (
      SELECT * FROM newest WHERE newest <= ${limit}
    ), cut AS (
      SELECT at AS cut_at, id AS cut_id FROM counted ORDER BY newest DESC LIMIT 1
    )
    SELECT
      coalesce((SELECT max(newest) FROM newest), 0) > ${limit} AS truncated,
      EXISTS (
        SELECT FROM counted WHERE feed IS NOT NULL AND kind IN ('connected', 'disconnected', 'connect_failed')
        GROUP BY source, kind HAVING min(feed) <> max(feed)
      ) AS "twoFeeds",
      count(*) FILTER (WHERE kind = 'connected')::int AS connects,
      count(*) FILTER (WHERE kind = 'disconnected')::int AS disconnects,
      count(*) FILTER (WHERE ${DROP} AND NOT chained)::int AS "unchainedDrops",
      -- A 401003 refusal its 404104 closes within SAME_DROP_MS is a token renewal's drop: probed only for those.
      count(*) FILTER (WHERE kind = 'connect_failed' AND CASE WHEN r.code = 'azure:401003' THEN NOT EXISTS (
        SELECT FROM connection_events e
        WHERE ${inRange} AND e.code = 'azure:404104'
          AND e.occurred_at >= r.at AND e.occurred_at <= r.at + ${`${SAME_DROP_MS} milliseconds`}::interval
          AND (e.occurred_at > r.at OR e.id < r.id) AND (e.occurred_at, e.id) >= (cut_at, cut_id)
      ) ELSE true END)::int AS "failedConnects",
      coalesce(array_agg(ARRAY[head, extract(epoch FROM head_at) * 1000, extract(epoch FROM at) * 1000]::float8[] ORDER BY position)
        FILTER (WHERE chained), '{}') AS chained
    FROM (
      -- One order (time, then id descending) for every window: Postgres sorts once.
      SELECT w.*,
        max(position) FILTER (WHERE ${DROP} AND NOT chained) OVER walk AS head,
        max(at) FILTER (WHERE ${DROP} AND NOT chained) OVER walk AS head_at
      FROM (
        SELECT p.*, (${DROP} AND at - previous_drop_at <= ${`${SAME_DROP_MS} milliseconds`}::interval
                     AND previous_drop > coalesce(previous_reset, 0)) IS TRUE AS chained
        FROM (
          SELECT c.*,
            max(at) FILTER (WHERE ${DROP}) OVER preceding AS previous_drop_at,
            max(position) FILTER (WHERE ${DROP}) OVER preceding AS previous_drop,
            max(position) FILTER (WHERE ${RESET}) OVER preceding AS previous_reset
          FROM (SELECT *, row_number() OVER (ORDER BY at, id DESC) AS position FROM counted) c
          WINDOW preceding AS (ORDER BY at, id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        ) p
      ) w
      WINDOW walk AS (ORDER BY at, id DESC ROWS UNBOUNDED PRECEDING)
    ) r
    LEFT JOIN cut ON true`,
  );
  if (!row) throw new Error("countRecentDeviceEvents: an aggregate returned no row");
  if (row.twoFeeds) return countRecentDeviceEventsInNode(db, deviceId, range, limit);
  return {
    connects: row.connects,
    disconnects: row.disconnects,
    drops: row.unchainedDrops + countChainedDrops(row.chained.map(([head = 0, headAt = 0, at = 0]) => ({ head, headAt, at }))),
    failedConnects: row.failedConnects,
    truncated: row.truncated,
  };
}

/** The same counts from the events read and walked in Node (countDeviceEvents), two feeds' records merged. */
export async function countRecentDeviceEventsInNode(
  db: Db,
  deviceId: string,
  range: { since: Date; now: Date },
  limit = MAX_COUNTED_EVENTS,
): Promise<RecentEventCounts> {
  const device = deviceEventsNewestFirst(deviceId);
  const rows = await queryRows(
    db,
    "countRecentDeviceEvents.twoFeeds",
    CountedRowSchema,
    Prisma.sql`
    SELECT e.id, e.kind::text AS kind, e.reason::text AS reason, e.code, e.occurred_at AS "occurredAt", e.source, e.feed
    FROM connection_events e WHERE ${inRangeOf(device, range)} ${device.orderBy} LIMIT ${limit + 1}`,
  );
  const counted = rows.slice(0, limit).map((row) => ({ ...row, id: row.id.toString() }));
  return { ...countDeviceEvents(counted), truncated: rows.length > limit };
}
