import { Prisma, type Db } from "@/lib/db/client.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

const FleetFilterOptionsSchema = z.object({
  sources: z.array(z.string()),
  brokerNodes: z.array(z.string()),
  firmware: z.array(z.string()),
  regions: z.array(z.string()),
  networks: z.array(z.string()),
  /** `key=value` pairs present on devices. */
  labels: z.array(z.string()),
});
export type FleetFilterOptions = z.infer<typeof FleetFilterOptionsSchema>;

/** Most values listed per filter. */
const OPTION_LIMIT = 500;

/** The values each fleet filter can take, from the device rows (what the data has, not a fixed list). */
export async function listFilterOptions(db: Db): Promise<FleetFilterOptions> {
  const rows = await queryRows(
    db,
    "listFilterOptions",
    FleetFilterOptionsSchema,
    Prisma.sql`
    SELECT
      ARRAY(SELECT DISTINCT source FROM devices WHERE source IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS sources,
      ARRAY(SELECT DISTINCT broker_node FROM devices WHERE broker_node IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS "brokerNodes",
      ARRAY(SELECT DISTINCT firmware FROM devices WHERE firmware IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS firmware,
      ARRAY(SELECT DISTINCT region FROM devices WHERE region IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS regions,
      ARRAY(SELECT DISTINCT network FROM devices WHERE network IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS networks,
      ARRAY(SELECT DISTINCT l.key || '=' || l.value FROM devices, jsonb_each_text(devices.labels) l ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS labels`,
  );
  return rows[0] ?? { sources: [], brokerNodes: [], firmware: [], regions: [], networks: [], labels: [] };
}
