import type { Db } from "@/lib/db/client.ts";

export type FleetFilterOptions = {
  sources: string[];
  brokerNodes: string[];
  firmware: string[];
  regions: string[];
  networks: string[];
  /** `key=value` pairs present on devices. */
  labels: string[];
};

/** Most values listed per filter. */
const OPTION_LIMIT = 500;

/** The values each fleet filter can take, from the device rows (what the data has, not a fixed list). */
export async function listFilterOptions(db: Db): Promise<FleetFilterOptions> {
  const rows = await db.$queryRaw<FleetFilterOptions[]>`
    SELECT
      ARRAY(SELECT DISTINCT source FROM devices WHERE source IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS sources,
      ARRAY(SELECT DISTINCT broker_node FROM devices WHERE broker_node IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS "brokerNodes",
      ARRAY(SELECT DISTINCT firmware FROM devices WHERE firmware IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS firmware,
      ARRAY(SELECT DISTINCT region FROM devices WHERE region IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS regions,
      ARRAY(SELECT DISTINCT network FROM devices WHERE network IS NOT NULL ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS networks,
      ARRAY(SELECT DISTINCT l.key || '=' || l.value FROM devices, jsonb_each_text(devices.labels) l ORDER BY 1 LIMIT ${OPTION_LIMIT}) AS labels`;
  return rows[0] ?? { sources: [], brokerNodes: [], firmware: [], regions: [], networks: [], labels: [] };
}
