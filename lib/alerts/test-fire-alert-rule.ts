import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import type { Db } from "@/lib/db/client.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "@/lib/errors/domain-errors.ts";
import { FLEET_SUBJECT } from "./alert-kinds.ts";
import { buildAlertLink, describeAlertValue } from "./alert-notification.ts";
import { AlertRuleIdPattern } from "./alert-rule-schemas.ts";
import { toAlertRuleConfig } from "./alert-rule-config.ts";
import { comparedThreshold, toStoredNotification } from "./channels/stored-notification.ts";
import { deliverDueNotifications, type DeliveryPassOptions } from "./deliveries/deliver-due-notifications.ts";
import { enqueueNotification } from "./deliveries/enqueue-notification.ts";
import { findAlertIncident } from "./find-alert-incident.ts";
import { toHistoryView, WITH_DELIVERIES, type AlertHistoryView } from "./list-alert-history.ts";
import { measureFleetValue } from "./measure-alert-rule.ts";

/**
 * Records a `test` notification for the rule with its current value, queued to each of its channels like a real
 * one, then delivers those rows at once (a failure is retried by the delivery job like any other). Audited; the
 * rule's alert state is not touched.
 */
export async function testFireAlertRule(
  db: Db,
  id: string,
  by: { actor: Actor; ip?: string | null },
  options: { publicBaseUrl: string; now?: Date; delivery?: Omit<DeliveryPassOptions, "historyIds"> },
): Promise<AlertHistoryView> {
  const row = AlertRuleIdPattern.test(id)
    ? await db.alertRule.findUnique({ where: { id }, include: { _count: { select: { channels: true } } } })
    : null;
  if (!row) throw new NotFoundError("alert_rule_not_found", `No alert rule ${id}.`);
  const rule = toAlertRuleConfig(row);
  if (!rule) throw new ConflictError("invalid_rule", "The rule's parameters no longer validate; edit the rule first.");
  if (row._count.channels === 0)
    throw new InvalidInputError("no_channels", "The rule has no notification channel to send a test to; choose one first.");
  const now = options.now ?? new Date();
  const { value, threshold } = await measureFleetValue(db, rule, now);
  const incidentId = await findAlertIncident(db, { from: new Date(now.getTime() - rule.windowMs), to: now, scope: rule });
  const link = buildAlertLink({ baseUrl: options.publicBaseUrl, subject: FLEET_SUBJECT, incidentId, startedAt: now, until: now });
  const message = `Test: ${describeAlertValue(rule, FLEET_SUBJECT, value, threshold)}`;
  const historyId = await db.$transaction(async (tx) => {
    const created = await tx.alertHistory.create({
      data: {
        ruleId: rule.id,
        ruleName: rule.name,
        ruleKind: rule.kind,
        kind: "test",
        subject: FLEET_SUBJECT,
        value,
        threshold: comparedThreshold({ rule, threshold }),
        message,
        link: link.url,
        occurredAt: now,
      },
      select: { id: true },
    });
    const notification = toStoredNotification(
      { rule, status: "test", subject: FLEET_SUBJECT, value, threshold, startedAt: now, link },
      now,
      message,
    );
    const queued = await enqueueNotification(tx, { historyId: created.id, ruleId: rule.id, notification, now });
    await recordAuditEvent(tx, {
      action: "alert_rule.test_fired",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_rule", id: rule.id },
      details: { channels: queued },
    });
    return created.id;
  });
  await deliverDueNotifications(db, { ...options.delivery, historyIds: [historyId] });
  return toHistoryView(await db.alertHistory.findUniqueOrThrow({ where: { id: historyId }, include: WITH_DELIVERIES }));
}
