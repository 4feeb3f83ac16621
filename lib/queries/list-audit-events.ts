import type { Db } from "@/lib/db/client.ts";
import { redactSecrets } from "@/lib/security/redact.ts";

export type AuditEventRow = {
  id: bigint;
  occurredAt: Date;
  action: string;
  actorType: string;
  actorLabel: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: unknown;
};

/** Newest first, keyset-paged by id; `beforeId` is the last id of the previous page. */
export async function listAuditEvents(
  db: Db,
  input: { limit: number; beforeId?: bigint | undefined; action?: string | undefined },
): Promise<{ events: AuditEventRow[]; nextBeforeId: bigint | null }> {
  const rows = await db.auditEvent.findMany({
    where: { ...(input.beforeId !== undefined ? { id: { lt: input.beforeId } } : {}), ...(input.action ? { action: input.action } : {}) },
    orderBy: { id: "desc" },
    take: input.limit + 1,
    select: {
      id: true,
      occurredAt: true,
      action: true,
      actorType: true,
      actorLabel: true,
      targetType: true,
      targetId: true,
      ip: true,
      details: true,
    },
  });
  const events = rows.slice(0, input.limit);
  return {
    events: events.map((event) => ({ ...event, details: redactSecrets(event.details) })),
    nextBeforeId: rows.length > input.limit ? (events.at(-1)?.id ?? null) : null,
  };
}
