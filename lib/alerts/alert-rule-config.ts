import type { AlertRule } from "@/generated/prisma/client.ts";
import { ALERT_KINDS } from "./alert-kinds.ts";
import { AlertParamsSchemas, type AlertParams } from "./alert-rule-schemas.ts";
import type { NotifiedRule } from "./alert-notification.ts";
import type { HysteresisRule } from "./hysteresis.ts";

export type AlertRuleConfig = NotifiedRule & {
  hysteresis: HysteresisRule;
  enabled: boolean;
  /** Re-notify a firing, unacknowledged alert this often; null: once. */
  renotifyMs: number | null;
  excludeDeviceIds: string[];
  excludeLabels: string[];
  excludeFlapping: boolean;
};

/** The columns a rule is configured by (a stored row, or an unsaved definition being previewed). */
export type AlertRuleFields = Pick<
  AlertRule,
  | "id"
  | "name"
  | "kind"
  | "params"
  | "source"
  | "brokerNode"
  | "windowMs"
  | "forMs"
  | "clearMargin"
  | "clearForMs"
  | "enabled"
  | "renotifyMs"
  | "excludeDeviceIds"
  | "excludeLabels"
  | "excludeFlapping"
>;

/** A stored rule as the evaluator and notifications use it; null when its params no longer validate. */
export function toAlertRuleConfig(rule: AlertRuleFields): AlertRuleConfig | null {
  const parsed = AlertParamsSchemas[rule.kind].safeParse(rule.params);
  if (!parsed.success) return null;
  const params: AlertParams = parsed.data;
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    threshold: params.threshold,
    code: params.code,
    baseline: params.mode === "baseline" && params.multiplier !== undefined ? { multiplier: params.multiplier } : null,
    windowMs: rule.windowMs,
    source: rule.source,
    brokerNode: rule.brokerNode,
    enabled: rule.enabled,
    renotifyMs: rule.renotifyMs,
    excludeDeviceIds: rule.excludeDeviceIds,
    excludeLabels: rule.excludeLabels,
    excludeFlapping: rule.excludeFlapping,
    hysteresis: {
      direction: ALERT_KINDS[rule.kind].direction,
      threshold: params.threshold,
      clearMargin: rule.clearMargin,
      forMs: rule.forMs,
      clearForMs: rule.clearForMs,
    },
  };
}
