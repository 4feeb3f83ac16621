import type { AlertSilence } from "@/generated/prisma/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "@/lib/errors/domain-errors.ts";
import { parseLabelMatch } from "./alert-exclusions.ts";
import { minutesToMs, type CreateAlertSilence } from "./alert-quiet-schemas.ts";
import { AlertRuleIdPattern } from "./alert-rule-schemas.ts";

type By = { actor: Actor; ip?: string | null };

export type AlertSilenceView = ReturnType<typeof toSilenceView>;

function toSilenceView(silence: AlertSilence & { rule: { name: string } | null }, now: Date) {
  return {
    id: silence.id,
    target: silence.target,
    ruleId: silence.ruleId,
    ruleName: silence.rule?.name ?? null,
    source: silence.source,
    brokerNode: silence.brokerNode,
    deviceIds: silence.deviceIds,
    label: silence.labelKey ? `${silence.labelKey}=${silence.labelValue ?? ""}` : null,
    reason: silence.reason,
    startsAt: silence.startsAt,
    endsAt: silence.endsAt,
    active: silence.startsAt <= now && silence.endsAt > now,
    createdBy: silence.createdBy,
    createdAt: silence.createdAt,
    endedBy: silence.endedBy,
  };
}

/** Active silences first (ending soonest first), then those that ended within the last day. */
export async function listAlertSilences(db: Db, now = new Date()): Promise<AlertSilenceView[]> {
  const rows = await db.alertSilence.findMany({
    where: { endsAt: { gt: new Date(now.getTime() - 86_400_000) } },
    include: { rule: { select: { name: true } } },
    orderBy: [{ endsAt: "asc" }, { id: "asc" }],
    take: 200,
  });
  const views = rows.map((row) => toSilenceView(row, now));
  return [...views.filter((v) => v.active), ...views.filter((v) => !v.active).reverse()];
}

export async function createAlertSilence(db: Db, input: CreateAlertSilence, by: By, now = new Date()): Promise<AlertSilenceView> {
  const endsAt = input.endsAt ?? new Date(now.getTime() + minutesToMs(input.minutes ?? 0));
  if (endsAt <= now) throw new InvalidInputError("invalid_request", "endsAt: the silence must end in the future.");
  const label = input.target === "label" && input.label ? parseLabelMatch(input.label) : null;
  const id = await db.$transaction(async (tx) => {
    if (input.ruleId && !(await tx.alertRule.findUnique({ where: { id: input.ruleId }, select: { id: true } }))) {
      throw new NotFoundError("alert_rule_not_found", `No alert rule ${input.ruleId}.`);
    }
    const silence = await tx.alertSilence.create({
      data: {
        target: input.target,
        ruleId: input.ruleId,
        source: input.target === "scope" ? input.source : null,
        brokerNode: input.target === "scope" ? input.brokerNode : null,
        deviceIds: input.target === "devices" ? input.deviceIds : [],
        labelKey: label?.key ?? null,
        labelValue: label?.value ?? null,
        reason: input.reason,
        startsAt: now,
        endsAt,
        createdBy: by.actor.label,
      },
      select: { id: true },
    });
    await recordAuditEvent(tx, {
      action: "alert_silence.created",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_silence", id: silence.id },
      details: {
        target: input.target,
        ruleId: input.ruleId,
        devices: input.deviceIds.length,
        label: input.label,
        reason: input.reason,
        endsAt: endsAt.toISOString(),
      },
    });
    return silence.id;
  });
  return requireSilence(db, id, now);
}

/** Ends a silence now; its devices count again and its rules notify again from the next evaluation. */
export async function endAlertSilence(db: Db, id: string, by: By, now = new Date()): Promise<AlertSilenceView> {
  await db.$transaction(async (tx) => {
    const silence = AlertRuleIdPattern.test(id) ? await tx.alertSilence.findUnique({ where: { id } }) : null;
    if (!silence) throw new NotFoundError("alert_silence_not_found", `No silence ${id}.`);
    if (silence.endsAt <= now) throw new ConflictError("alert_silence_ended", "This silence has already ended.");
    await tx.alertSilence.update({ where: { id }, data: { endsAt: now, endedBy: by.actor.label } });
    await recordAuditEvent(tx, {
      action: "alert_silence.ended",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_silence", id },
      details: { reason: silence.reason },
    });
  });
  return requireSilence(db, id, now);
}

async function requireSilence(db: Db, id: string, now: Date): Promise<AlertSilenceView> {
  const row = await db.alertSilence.findUnique({ where: { id }, include: { rule: { select: { name: true } } } });
  if (!row) throw new NotFoundError("alert_silence_not_found", `No silence ${id}.`);
  return toSilenceView(row, now);
}
