import type { MaintenanceWindow } from "@/generated/prisma/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { NotFoundError } from "@/lib/errors/domain-errors.ts";
import { minutesToMs, type CreateMaintenanceWindow } from "./alert-quiet-schemas.ts";
import { AlertRuleIdPattern } from "./alert-rule-schemas.ts";
import { findNextOccurrence, findOpenOccurrence } from "./maintenance-occurrences.ts";

type By = { actor: Actor; ip?: string | null };

export type MaintenanceWindowView = ReturnType<typeof toWindowView>;

function toWindowView(window: MaintenanceWindow, now: Date) {
  const open = findOpenOccurrence(window, now);
  const next = open ?? findNextOccurrence(window, now);
  return {
    id: window.id,
    name: window.name,
    recurrence: window.recurrence,
    startsAt: window.startsAt,
    durationMinutes: window.durationMs / 60_000,
    until: window.until,
    source: window.source,
    brokerNode: window.brokerNode,
    active: open !== null,
    next: next ? { from: next.from, to: next.to } : null,
    createdBy: window.createdBy,
    createdAt: window.createdAt,
  };
}

/** Open windows first, then upcoming ones by their next start; windows that will not open again are left out. */
export async function listMaintenanceWindows(db: Db, now = new Date()): Promise<MaintenanceWindowView[]> {
  const rows = await db.maintenanceWindow.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: 500 });
  return rows
    .map((row) => toWindowView(row, now))
    .filter((view) => view.next !== null)
    .sort((a, b) => Number(b.active) - Number(a.active) || (a.next?.from.getTime() ?? 0) - (b.next?.from.getTime() ?? 0));
}

export async function createMaintenanceWindow(
  db: Db,
  input: CreateMaintenanceWindow,
  by: By,
  now = new Date(),
): Promise<MaintenanceWindowView> {
  const window = await db.$transaction(async (tx) => {
    const created = await tx.maintenanceWindow.create({
      data: {
        name: input.name,
        recurrence: input.recurrence,
        startsAt: input.startsAt,
        durationMs: minutesToMs(input.durationMinutes),
        until: input.until,
        source: input.source,
        brokerNode: input.brokerNode,
        createdBy: by.actor.label,
      },
    });
    await recordAuditEvent(tx, {
      action: "maintenance_window.created",
      actor: by.actor,
      ip: by.ip,
      target: { type: "maintenance_window", id: created.id },
      details: {
        name: input.name,
        recurrence: input.recurrence,
        startsAt: input.startsAt.toISOString(),
        durationMinutes: input.durationMinutes,
        source: input.source,
        brokerNode: input.brokerNode,
      },
    });
    return created;
  });
  return toWindowView(window, now);
}

export async function deleteMaintenanceWindow(db: Db, id: string, by: By): Promise<void> {
  await db.$transaction(async (tx) => {
    const existing = AlertRuleIdPattern.test(id) ? await tx.maintenanceWindow.findUnique({ where: { id }, select: { name: true } }) : null;
    if (!existing) throw new NotFoundError("maintenance_window_not_found", `No maintenance window ${id}.`);
    await tx.maintenanceWindow.delete({ where: { id } });
    await recordAuditEvent(tx, {
      action: "maintenance_window.deleted",
      actor: by.actor,
      ip: by.ip,
      target: { type: "maintenance_window", id },
      details: { name: existing.name },
    });
  });
}
