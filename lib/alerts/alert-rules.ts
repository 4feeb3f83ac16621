import type { AlertChannel, AlertRule, AlertState } from "@/generated/prisma/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db, Prisma } from "@/lib/db/client.ts";
import { InvalidInputError, NotFoundError } from "@/lib/errors/domain-errors.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { loadAlertQuietContext, resolveAlertExclusions } from "./alert-exclusions.ts";
import { FLEET_SUBJECT } from "./alert-kinds.ts";
import {
  AlertRuleDefinitionSchema,
  AlertRuleIdPattern,
  type AlertParams,
  type AlertRuleDefinition,
  type CreateAlertRule,
  type UpdateAlertRule,
} from "./alert-rule-schemas.ts";
import { toAlertRuleConfig } from "./alert-rule-config.ts";
import { measureFleetValue } from "./measure-alert-rule.ts";

type By = { actor: Actor; ip?: string | null };

/** The stored rule in the shape of the create/update body (without its channels). */
function toDefinitionInput(rule: AlertRule) {
  return {
    name: rule.name,
    kind: rule.kind,
    params: rule.params,
    source: rule.source,
    brokerNode: rule.brokerNode,
    windowMinutes: rule.windowMs / 60_000,
    forSeconds: rule.forMs / 1_000,
    clearMargin: rule.clearMargin,
    clearForSeconds: rule.clearForMs / 1_000,
    enabled: rule.enabled,
    renotifyMinutes: rule.renotifyMs === null ? null : rule.renotifyMs / 60_000,
    excludeDeviceIds: rule.excludeDeviceIds,
    excludeLabels: rule.excludeLabels,
    excludeFlapping: rule.excludeFlapping,
  };
}

/** A rule as the API and pages show it: its channels by name, with its current state and last firing. */
export type AlertRuleView = ReturnType<typeof toRuleView>;

/** Baseline rules: the usual rate at this hour and the threshold it gives now (null: no baseline yet, the rule cannot fire). */
type BaselineNow = { usualPerMinute: number | null; days: number; threshold: number | null };

type RuleRow = AlertRule & { states: AlertState[]; channels: { channel: Pick<AlertChannel, "id" | "name" | "type"> }[] };

function toRuleView(rule: RuleRow, lastFiredAt: Date | null, baselineNow: BaselineNow | null = null) {
  const fleet = rule.states.find((state) => state.subject === FLEET_SUBJECT) ?? null;
  const devices = rule.states.filter((state) => state.subject !== FLEET_SUBJECT);
  const firing =
    rule.kind === "device_offline_longer" ? devices.filter((s) => s.status === "firing").length : fleet?.status === "firing" ? 1 : 0;
  const pending =
    rule.kind === "device_offline_longer" ? devices.filter((s) => s.status === "pending").length : fleet?.status === "pending" ? 1 : 0;
  return {
    id: rule.id,
    ...toDefinitionInput(rule),
    params: rule.params as AlertParams,
    channels: rule.channels.map(({ channel }) => channel).sort((a, b) => a.name.localeCompare(b.name)),
    createdBy: rule.createdBy,
    createdAt: rule.createdAt,
    updatedAt: rule.updatedAt,
    state: {
      status: !rule.enabled
        ? ("disabled" as const)
        : firing > 0
          ? ("firing" as const)
          : pending > 0
            ? ("pending" as const)
            : ("ok" as const),
      firing,
      pending,
      // Fleet rules: the last measured value; offline rules: how many devices are offline longer than the threshold.
      value: fleet?.lastValue ?? null,
      since: rule.kind === "device_offline_longer" ? null : fleet && fleet.status !== "ok" ? fleet.since : null,
      evaluatedAt: fleet?.evaluatedAt ?? null,
      firingDevices:
        rule.kind === "device_offline_longer"
          ? devices
              .filter((s) => s.status === "firing")
              .map((s) => s.subject)
              .sort()
          : [],
      ...describeQuietState(
        rule.kind === "device_offline_longer" ? devices.filter((s) => s.status === "firing") : fleet ? [fleet] : [],
        fleet,
      ),
    },
    lastFiredAt,
    baselineNow,
  };
}

/** The usual rate and threshold of each enabled baseline rule now, measured as the evaluator does (exclusions applied). */
async function loadBaselinesNow(db: Db, rules: AlertRule[]): Promise<Map<string, BaselineNow>> {
  const now = new Date();
  const configs = rules.flatMap((rule) => {
    const config = rule.enabled ? toAlertRuleConfig(rule) : null;
    return config?.baseline ? [config] : [];
  });
  if (configs.length === 0) return new Map();
  const quiet = await loadAlertQuietContext(db, now);
  const entries = await Promise.all(
    configs.map(async (config) => {
      const { baseline, threshold } = await measureFleetValue(db, config, now, await resolveAlertExclusions(db, quiet, config));
      return [
        [
          config.id,
          {
            usualPerMinute: baseline?.usualPerMinute ?? null,
            days: baseline?.days ?? 0,
            threshold: Number.isFinite(threshold) ? threshold : null,
          },
        ] as const,
      ];
    }),
  );
  return new Map(entries.flat());
}

const RULE_INCLUDE = { states: true, channels: { select: { channel: { select: { id: true, name: true, type: true } } } } } as const;

/** Who acknowledged the firing alerts (the latest acknowledgement) and what mutes the rule's notifications now. */
function describeQuietState(firing: AlertState[], fleet: AlertState | null) {
  const acknowledged = firing.filter((state) => state.status === "firing" && state.acknowledgedAt);
  const latest = acknowledged.sort((a, b) => (b.acknowledgedAt?.getTime() ?? 0) - (a.acknowledgedAt?.getTime() ?? 0))[0];
  return {
    acknowledged: acknowledged.length,
    acknowledgedBy: latest?.acknowledgedBy ?? null,
    acknowledgedAt: latest?.acknowledgedAt ?? null,
    suppressedBy: fleet?.suppressedBy ?? null,
  };
}

async function loadLastFired(db: Db, ruleIds: string[]): Promise<Map<string, Date>> {
  if (ruleIds.length === 0) return new Map();
  const rows = await db.alertHistory.groupBy({
    by: ["ruleId"],
    where: { ruleId: { in: ruleIds }, kind: "fired" },
    _max: { occurredAt: true },
  });
  return new Map(rows.flatMap((row) => (row.ruleId && row._max.occurredAt ? [[row.ruleId, row._max.occurredAt] as const] : [])));
}

export async function listAlertRules(db: Db): Promise<AlertRuleView[]> {
  const rules = await db.alertRule.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], include: RULE_INCLUDE });
  const [lastFired, baselines] = await Promise.all([
    loadLastFired(
      db,
      rules.map((rule) => rule.id),
    ),
    loadBaselinesNow(db, rules),
  ]);
  return rules.map((rule) => toRuleView(rule, lastFired.get(rule.id) ?? null, baselines.get(rule.id) ?? null));
}

export async function getAlertRule(db: Db, id: string): Promise<AlertRuleView | null> {
  if (!AlertRuleIdPattern.test(id)) return null;
  const rule = await db.alertRule.findUnique({ where: { id }, include: RULE_INCLUDE });
  if (!rule) return null;
  const [lastFired, baselines] = await Promise.all([loadLastFired(db, [id]), loadBaselinesNow(db, [rule])]);
  return toRuleView(rule, lastFired.get(id) ?? null, baselines.get(id) ?? null);
}

/** The stored columns of a validated definition (also what a preview measures). */
export function toRuleColumns(definition: AlertRuleDefinition) {
  return {
    name: definition.name,
    kind: definition.kind,
    params: definition.params,
    source: definition.source,
    brokerNode: definition.brokerNode,
    windowMs: definition.windowMinutes * 60_000,
    forMs: definition.forSeconds * 1_000,
    clearMargin: definition.clearMargin,
    clearForMs: definition.clearForSeconds * 1_000,
    enabled: definition.enabled,
    renotifyMs: definition.renotifyMinutes === null ? null : definition.renotifyMinutes * 60_000,
    excludeDeviceIds: definition.excludeDeviceIds,
    excludeLabels: definition.excludeLabels,
    excludeFlapping: definition.excludeFlapping,
  };
}

/** What the audit log keeps of a rule. */
function describeForAudit(definition: AlertRuleDefinition, channelIds: string[]) {
  return {
    name: definition.name,
    kind: definition.kind,
    threshold: definition.params.threshold,
    enabled: definition.enabled,
    channels: channelIds.length,
  };
}

async function setRuleChannels(tx: Prisma.TransactionClient, ruleId: string, channelIds: string[]): Promise<void> {
  const unique = [...new Set(channelIds)];
  const found = await tx.alertChannel.count({ where: { id: { in: unique } } });
  if (found !== unique.length) throw new InvalidInputError("unknown_channel", "channelIds: one of the channels does not exist (any more)");
  await tx.alertRuleChannel.deleteMany({ where: { ruleId } });
  if (unique.length > 0) await tx.alertRuleChannel.createMany({ data: unique.map((channelId) => ({ ruleId, channelId })) });
}

export async function createAlertRule(db: Db, input: CreateAlertRule, by: By): Promise<AlertRuleView> {
  const id = await db.$transaction(async (tx) => {
    const rule = await tx.alertRule.create({ data: { ...toRuleColumns(input), createdBy: by.actor.label }, select: { id: true } });
    await setRuleChannels(tx, rule.id, input.channelIds);
    await recordAuditEvent(tx, {
      action: "alert_rule.created",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_rule", id: rule.id },
      details: describeForAudit(input, input.channelIds),
    });
    return rule.id;
  });
  return requireRule(db, id);
}

/**
 * Applies a partial change, validated as a whole rule. Any change but the name resets the rule's alert states
 * (a new condition starts from ok; nothing is notified for the old one).
 */
export async function updateAlertRule(db: Db, id: string, patch: UpdateAlertRule, by: By): Promise<AlertRuleView> {
  const { channelIds, ...changes } = patch;
  await db.$transaction(async (tx) => {
    const existing = AlertRuleIdPattern.test(id)
      ? await tx.alertRule.findUnique({ where: { id }, include: { channels: { select: { channelId: true } } } })
      : null;
    if (!existing) throw new NotFoundError("alert_rule_not_found", `No alert rule ${id}.`);
    const definition = parseInput(AlertRuleDefinitionSchema, { ...toDefinitionInput(existing), ...changes });
    const columns = toRuleColumns(definition);
    await tx.alertRule.update({ where: { id }, data: columns });
    if (channelIds !== undefined) await setRuleChannels(tx, id, channelIds);
    // Choosing other channels changes where notifications go, not the condition: the state is kept.
    const onlyRenamed = Object.keys(changes).every((key) => key === "name");
    if (!onlyRenamed) await tx.alertState.deleteMany({ where: { ruleId: id } });
    await recordAuditEvent(tx, {
      action: "alert_rule.updated",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_rule", id },
      details: {
        ...describeForAudit(definition, channelIds ?? existing.channels.map((c) => c.channelId)),
        changed: Object.keys(patch).sort().join(","),
      },
    });
  });
  return requireRule(db, id);
}

export async function deleteAlertRule(db: Db, id: string, by: By): Promise<void> {
  await db.$transaction(async (tx) => {
    const existing = AlertRuleIdPattern.test(id)
      ? await tx.alertRule.findUnique({ where: { id }, select: { name: true, kind: true } })
      : null;
    if (!existing) throw new NotFoundError("alert_rule_not_found", `No alert rule ${id}.`);
    await tx.alertRule.delete({ where: { id } });
    await recordAuditEvent(tx, {
      action: "alert_rule.deleted",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_rule", id },
      details: { name: existing.name, kind: existing.kind },
    });
  });
}

async function requireRule(db: Db, id: string): Promise<AlertRuleView> {
  const rule = await getAlertRule(db, id);
  if (!rule) throw new NotFoundError("alert_rule_not_found", `No alert rule ${id}.`);
  return rule;
}
