import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { InitiatorSchema, ReasonSchema } from "@/lib/events/connection-event.ts";

/** The columns every read of a device's events selects (as `e.id, e.occurred_at AS "occurredAt", …`); each adds its own. */
export const DeviceEventCoreRowSchema = z.object({
  id: z.bigint(),
  occurredAt: SqlDate,
  reason: ReasonSchema,
  initiator: InitiatorSchema,
  code: z.string().nullable(),
  message: z.string().nullable(),
});

/**
 * One device's events, newest first, in a form only the (device_id, occurred_at) index can serve (decision 064).
 * Written `device_id = $1`, the device is a constant: Postgres drops it from the order, which the occurred_at index
 * then delivers as well, and in a month whose statistics say it is empty that index looked as cheap and read the
 * whole month in time order for one device. `= ANY` of a one-element array selects the same rows but keeps
 * device_id in the order, which the occurred_at index cannot deliver, so with equal estimates the device's index wins.
 */
export function deviceEventsNewestFirst(device: DeviceRef): { where: Prisma.Sql; orderBy: Prisma.Sql } {
  return { where: deviceIs(device), orderBy: Prisma.sql`ORDER BY e.device_id, e.occurred_at DESC, e.id DESC` };
}

/** A device ID, or a column of an outer query that holds one (a subquery per listed device). */
type DeviceRef = string | Prisma.Sql;

function deviceIs(device: DeviceRef): Prisma.Sql {
  return typeof device === "string" ? Prisma.sql`e.device_id = ANY(${[device]}::text[])` : Prisma.sql`e.device_id = ANY(ARRAY[${device}])`;
}
