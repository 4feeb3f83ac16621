import type { Db, Prisma } from "@/lib/db/client.ts";
import type { FleetScope } from "@/lib/fleet/connected-devices.ts";

/** The newest incident overlapping [from, to] whose scope matches (an unscoped incident matches any scope), or null. */
export async function findAlertIncident(
  db: Db | Prisma.TransactionClient,
  input: { from: Date; to: Date; scope: FleetScope },
): Promise<string | null> {
  const incident = await db.incident.findFirst({
    where: {
      startedAt: { lte: input.to },
      OR: [{ endedAt: null }, { endedAt: { gte: input.from } }],
      AND: [
        input.scope.source ? { OR: [{ source: null }, { source: input.scope.source }] } : {},
        input.scope.brokerNode ? { OR: [{ brokerNode: null }, { brokerNode: input.scope.brokerNode }] } : {},
      ],
    },
    orderBy: [{ status: "asc" }, { startedAt: "desc" }],
    select: { id: true },
  });
  return incident?.id ?? null;
}
