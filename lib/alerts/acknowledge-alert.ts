import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { ConflictError, NotFoundError } from "@/lib/errors/domain-errors.ts";
import { ALERT_LOCK_KEY } from "./evaluate-alert-rules.ts";
import { AlertRuleIdPattern } from "./alert-rule-schemas.ts";

type By = { actor: Actor; ip?: string | null };

/**
 * Acknowledges a rule's firing alerts (one subject, or all): no more reminders until they resolve, which clears the
 * acknowledgement. Under the evaluator's lock, so it never races a state being stepped.
 */
export async function acknowledgeAlert(
  db: Db,
  ruleId: string,
  input: { subject?: string | undefined },
  by: By,
  now = new Date(),
): Promise<{ acknowledged: number }> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(${ALERT_LOCK_KEY}::bigint)::text`;
    const rule = AlertRuleIdPattern.test(ruleId) ? await tx.alertRule.findUnique({ where: { id: ruleId }, select: { name: true } }) : null;
    if (!rule) throw new NotFoundError("alert_rule_not_found", `No alert rule ${ruleId}.`);
    const where = { ruleId, status: "firing" as const, acknowledgedAt: null, ...(input.subject ? { subject: input.subject } : {}) };
    const { count } = await tx.alertState.updateMany({ where, data: { acknowledgedAt: now, acknowledgedBy: by.actor.label } });
    if (count === 0)
      throw new ConflictError("alert_not_firing", "Nothing to acknowledge: the alert is not firing or is already acknowledged.");
    await recordAuditEvent(tx, {
      action: "alert.acknowledged",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_rule", id: ruleId },
      details: { rule: rule.name, subject: input.subject ?? null, alerts: count },
    });
    return { acknowledged: count };
  });
}
