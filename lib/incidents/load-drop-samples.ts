import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import { ReasonSchema, type Reason } from "@/lib/events/connection-event.ts";
import type { DropSample } from "./detect-incidents.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

export type DropFilter = {
  from: Date;
  to: Date;
  source?: string | undefined;
  brokerNode?: string | null | undefined;
  reason?: Reason | undefined;
  /** Every disconnect, clean ones too: a connected-device dip counts devices that left, however they left. */
  includeClientDisconnects?: boolean | undefined;
};

type Executor = Db | Prisma.TransactionClient;

export const DropSampleSchema = z.object({
  deviceId: z.string(),
  at: SqlDate,
  reason: ReasonSchema,
  code: z.string().nullable(),
  source: z.string(),
  brokerNode: z.string().nullable(),
}) satisfies z.ZodType<DropSample>;

/** Drops (the writer's definition: disconnects other than clean client disconnects) in [from, to], oldest first. */
export async function loadDropSamples(db: Executor, filter: DropFilter): Promise<DropSample[]> {
  const conditions = [
    filter.includeClientDisconnects
      ? Prisma.sql`kind = 'disconnected'`
      : Prisma.sql`kind = 'disconnected' AND reason <> 'client_disconnect'`,
    Prisma.sql`occurred_at >= ${filter.from} AND occurred_at <= ${filter.to}`,
  ];
  if (filter.source !== undefined) conditions.push(Prisma.sql`source = ${filter.source}`);
  if (filter.brokerNode !== undefined)
    conditions.push(filter.brokerNode === null ? Prisma.sql`broker_node IS NULL` : Prisma.sql`broker_node = ${filter.brokerNode}`);
  if (filter.reason !== undefined) conditions.push(Prisma.sql`reason = ${filter.reason}::"Reason"`);
  return queryRows(
    db,
    "loadDropSamples",
    DropSampleSchema,
    Prisma.sql`
    SELECT device_id AS "deviceId", occurred_at AS "at", reason::text AS reason, code, source, broker_node AS "brokerNode"
    FROM connection_events
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY occurred_at, id`,
  );
}

/**
 * Distinct devices with a drop in [from, to] from the writer's per-device drop minutes: a cheap gate so the
 * periodic job reads raw events only when enough devices dropped to possibly make an incident.
 */
export async function countDroppingDevices(db: Executor, from: Date, to: Date): Promise<number> {
  const [row] = await queryRows(
    db,
    "countDroppingDevices",
    z.object({ devices: z.number() }),
    Prisma.sql`
    SELECT COUNT(DISTINCT device_id)::int AS devices FROM device_drop_minute
    WHERE bucket >= date_trunc('minute', ${from}::timestamptz) AND bucket <= ${to}`,
  );
  return row?.devices ?? 0;
}

export async function countFleetDevices(db: Executor): Promise<number> {
  return db.device.count();
}
