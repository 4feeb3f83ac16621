import { Prisma } from "@/lib/db/client.ts";
import type { FleetScope } from "@/lib/fleet/connected-devices.ts";

/** `AND source = … AND broker_node = …` for device_reason_minute (no node is stored as ''), or null for the whole fleet. */
export function scopeFilter(scope: FleetScope): Prisma.Sql | null {
  if (!scope.source && !scope.brokerNode) return null;
  const source = scope.source ? Prisma.sql`AND source = ${scope.source}` : Prisma.empty;
  const node = scope.brokerNode ? Prisma.sql`AND broker_node = ${scope.brokerNode}` : Prisma.empty;
  return Prisma.sql`${source} ${node}`;
}
