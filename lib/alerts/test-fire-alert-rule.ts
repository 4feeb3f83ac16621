import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import type { Db } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { FLEET_SUBJECT } from "./alert-kinds.ts";
import { buildAlertLink, buildWebhookPayload, describeAlertValue } from "./alert-notification.ts";
import { AlertRuleIdPattern } from "./alert-rule-schemas.ts";
import { toAlertRuleConfig } from "./alert-rule-config.ts";
import { deliverWebhook, type DeliverWebhook } from "./deliver-webhook.ts";
import { findAlertIncident } from "./find-alert-incident.ts";
import { toHistoryView, type AlertHistoryView } from "./list-alert-history.ts";
import { measureFleetValue } from "./measure-alert-rule.ts";

/**
 * Sends a `test` notification for the rule now, with its current value, and records it in the history with the
 * delivery result (audited). The rule's alert state is not touched.
 */
export async function testFireAlertRule(
  db: Db,
  id: string,
  by: { actor: Actor; ip?: string | null },
  options: { publicBaseUrl: string; deliver?: DeliverWebhook; now?: Date },
): Promise<AlertHistoryView> {
  const row = AlertRuleIdPattern.test(id) ? await db.alertRule.findUnique({ where: { id } }) : null;
  if (!row) throw new AppError(404, "alert_rule_not_found", `No alert rule ${id}.`);
  const rule = toAlertRuleConfig(row);
  if (!rule) throw new AppError(409, "invalid_rule", "The rule's parameters no longer validate; edit the rule first.");
  if (!rule.webhookUrl) throw new AppError(400, "no_webhook", "The rule has no webhook URL to send a test to; add one first.");
  const now = options.now ?? new Date();
  const { value, threshold } = await measureFleetValue(db, rule, now);
  const incidentId = await findAlertIncident(db, { from: new Date(now.getTime() - rule.windowMs), to: now, scope: rule });
  const link = buildAlertLink({ baseUrl: options.publicBaseUrl, subject: FLEET_SUBJECT, incidentId, startedAt: now, until: now });
  const body = buildWebhookPayload({ rule, status: "test", subject: FLEET_SUBJECT, value, threshold, startedAt: now, link });
  const delivery = await (options.deliver ?? deliverWebhook)(rule.webhookUrl, body);
  const history = await db.$transaction(async (tx) => {
    const created = await tx.alertHistory.create({
      data: {
        ruleId: rule.id,
        ruleName: rule.name,
        ruleKind: rule.kind,
        kind: "test",
        subject: FLEET_SUBJECT,
        value,
        threshold: Number.isFinite(threshold) ? threshold : rule.threshold,
        message: `Test: ${describeAlertValue(rule, FLEET_SUBJECT, value, threshold)}`,
        link: link.url,
        deliveryStatus: delivery.delivered ? "delivered" : "failed",
        httpStatus: delivery.httpStatus,
        attempts: delivery.attempts,
        error: delivery.error,
        occurredAt: now,
      },
    });
    await recordAuditEvent(tx, {
      action: "alert_rule.test_fired",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_rule", id: rule.id },
      details: { delivered: delivery.delivered, httpStatus: delivery.httpStatus, attempts: delivery.attempts },
    });
    return created;
  });
  return toHistoryView(history);
}
