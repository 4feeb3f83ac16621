import { Prisma, type Db } from "@/lib/db/client.ts";
import { DEVICE_ATTRIBUTE_FILTERS, type DeviceAttributeFilter } from "@/lib/devices/device-list-params.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

export type DeviceFacets = Record<DeviceAttributeFilter, string[]>;

const MAX_VALUES = 200;

const FacetValuesSchema = z.array(z.string()).nullable();
const FacetRowSchema = z.object(
  Object.fromEntries(DEVICE_ATTRIBUTE_FILTERS.map((name) => [name, FacetValuesSchema])) as Record<
    DeviceAttributeFilter,
    typeof FacetValuesSchema
  >,
);

/**
 * The values the device list's attribute filters offer (sorted, at most 200 each). One pass over devices:
 * the columns have no indexes of their own, and a fleet has few distinct values per column.
 */
export async function listDeviceFacets(db: Db): Promise<DeviceFacets> {
  const rows = await queryRows(
    db,
    "listDeviceFacets",
    FacetRowSchema,
    Prisma.sql`
    SELECT array_agg(DISTINCT source) FILTER (WHERE source IS NOT NULL) AS source,
           array_agg(DISTINCT broker_node) FILTER (WHERE broker_node IS NOT NULL) AS "brokerNode",
           array_agg(DISTINCT firmware) FILTER (WHERE firmware IS NOT NULL) AS firmware,
           array_agg(DISTINCT region) FILTER (WHERE region IS NOT NULL) AS region,
           array_agg(DISTINCT network) FILTER (WHERE network IS NOT NULL) AS network
    FROM devices`,
  );
  const row = rows[0];
  const values = (list: string[] | null | undefined) => (list ?? []).slice(0, MAX_VALUES);
  return {
    source: values(row?.source),
    brokerNode: values(row?.brokerNode),
    firmware: values(row?.firmware),
    region: values(row?.region),
    network: values(row?.network),
  };
}
