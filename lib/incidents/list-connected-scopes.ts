import { Prisma, type Db } from "@/lib/db/client.ts";
import type { ConnectedScope } from "./detect-connected-dips.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

/**
 * The scopes whose connected-device count is watched: the whole fleet, each source and each broker node of a
 * source (from the devices' current source and node, as countConnectedDevicesAt counts them).
 */
export async function listConnectedScopes(db: Db): Promise<ConnectedScope[]> {
  const rows = await queryRows(
    db,
    "listConnectedScopes",
    z.object({ source: z.string(), brokerNode: z.string().nullable() }),
    Prisma.sql`
    SELECT DISTINCT source, broker_node AS "brokerNode" FROM devices WHERE source IS NOT NULL ORDER BY source, broker_node`,
  );
  const scopes: ConnectedScope[] = [{ source: null, brokerNode: null }];
  for (const source of new Set(rows.map((row) => row.source))) scopes.push({ source, brokerNode: null });
  for (const row of rows) if (row.brokerNode !== null) scopes.push({ source: row.source, brokerNode: row.brokerNode });
  return scopes;
}
