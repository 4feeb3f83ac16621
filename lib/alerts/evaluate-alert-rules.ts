import type { AlertRule, AlertState } from "@/generated/prisma/client.ts";
import type { Db, Prisma } from "@/lib/db/client.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { FLEET_SUBJECT, MAX_FIRING_DEVICES_PER_RULE } from "./alert-kinds.ts";
import { buildAlertLink, describeAlertValue, type AlertNotification } from "./alert-notification.ts";
import { toAlertRuleConfig, type AlertRuleConfig } from "./alert-rule-config.ts";
import { comparedThreshold, toStoredNotification } from "./channels/stored-notification.ts";
import { enqueueNotification } from "./deliveries/enqueue-notification.ts";
import { findAlertIncident } from "./find-alert-incident.ts";
import { loadOfflineSince } from "./find-offline-devices.ts";
import { stepHysteresis, type HysteresisState } from "./hysteresis.ts";
import { findOfflineLonger, measureFleetValue, offlineMinutes, type RuleMeasurement } from "./measure-alert-rule.ts";

export type AlertEvaluationRun = { rules: number; fired: number; resolved: number; queued: number };
export type AlertEvaluationInput = { now: Date; publicBaseUrl: string; log?: Logger };

// One writer of alert states at a time across worker processes (measuring happens outside the lock).
const ALERT_LOCK_KEY = 0x6c6e6b61;

/**
 * Measures every enabled rule, steps each subject's hysteresis state, and records a history row per transition with
 * its deliveries (one per channel, sent by the delivery job after the commit, so a slow receiver never holds the lock).
 * State lives in the database, so a restarted worker carries on where the last one stopped.
 */
export async function evaluateAlertRules(db: Db, input: AlertEvaluationInput): Promise<AlertEvaluationRun> {
  const run: AlertEvaluationRun = { rules: 0, fired: 0, resolved: 0, queued: 0 };
  for (const row of await db.alertRule.findMany({ where: { enabled: true }, orderBy: { createdAt: "asc" } })) {
    const rule = toAlertRuleConfig(row);
    if (!rule) {
      input.log?.warn({ ruleId: row.id }, "alert rule has invalid parameters; skipped");
      continue;
    }
    run.rules++;
    const samples = await measureSubjects(db, rule, input.now);
    const notifications = await db.$transaction((tx) => applySamples(tx, row, rule, samples, input), { timeout: 30_000 });
    for (const { transition, queued } of notifications) {
      run[transition]++;
      run.queued += queued;
    }
  }
  return run;
}

type Sample = Pick<RuleMeasurement, "value" | "threshold">;

/** Subject → value and threshold. Offline rules: every device already pending or firing, plus new ones up to the cap, plus the fleet count. */
async function measureSubjects(db: Db, rule: AlertRuleConfig, now: Date): Promise<Map<string, Sample>> {
  if (rule.kind !== "device_offline_longer") return new Map([[FLEET_SUBJECT, await measureFleetValue(db, rule, now)]]);
  const sample = (value: number): Sample => ({ value, threshold: rule.threshold });
  const tracked = (await db.alertState.findMany({ where: { ruleId: rule.id, subject: { not: FLEET_SUBJECT } }, select: { subject: true } })).map((s) => s.subject);
  const offlineSince = await loadOfflineSince(db, tracked);
  const samples = new Map(tracked.map((subject) => {
    const since = offlineSince.get(subject);
    return [subject, sample(since ? offlineMinutes(since, now) : 0)] as const;
  }));
  const { devices, total } = await findOfflineLonger(db, rule, now);
  for (const device of devices) {
    if (samples.size >= MAX_FIRING_DEVICES_PER_RULE) break;
    samples.set(device.deviceId, sample(offlineMinutes(device.offlineSince, now)));
  }
  samples.set(FLEET_SUBJECT, sample(total));
  return samples;
}

type Transition = { transition: "fired" | "resolved"; historyId: bigint; queued: number };

async function applySamples(tx: Prisma.TransactionClient, row: AlertRule, rule: AlertRuleConfig, samples: Map<string, Sample>, input: AlertEvaluationInput): Promise<Transition[]> {
  const { now } = input;
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${ALERT_LOCK_KEY}::bigint)::text`;
  // Edited, disabled or deleted while we measured: its states were reset; the next run measures it afresh.
  const current = await tx.alertRule.findUnique({ where: { id: row.id }, select: { updatedAt: true, enabled: true } });
  if (!current?.enabled || current.updatedAt.getTime() !== row.updatedAt.getTime()) return [];
  const states = new Map((await tx.alertState.findMany({ where: { ruleId: rule.id } })).map((state) => [state.subject, state]));
  const transitions: Transition[] = [];
  for (const [subject, { value, threshold }] of samples) {
    const previous = states.get(subject);
    const key = { ruleId_subject: { ruleId: rule.id, subject } };
    if (rule.kind === "device_offline_longer" && subject === FLEET_SUBJECT) {
      // The count of devices offline too long: shown with the rule, never notified (each device alerts on its own).
      const data = { status: "ok" as const, since: previous?.since ?? now, lastValue: value, evaluatedAt: now };
      await tx.alertState.upsert({ where: key, create: { ruleId: rule.id, subject, ...data }, update: data });
      continue;
    }
    const step = stepHysteresis(previous ? toHysteresisState(previous) : null, value, now, { ...rule.hysteresis, threshold });
    if (step.transition) transitions.push(await recordTransition(tx, rule, subject, { value, threshold }, step.transition, previous, input));
    if (step.state.status === "ok" && subject !== FLEET_SUBJECT) {
      if (previous) await tx.alertState.delete({ where: key });
      continue;
    }
    const firedAt = step.transition === "fired" ? now : (previous?.firedAt ?? null);
    const data = { status: step.state.status, since: step.state.since, clearingSince: step.state.clearingSince, lastValue: value, firedAt, evaluatedAt: now };
    await tx.alertState.upsert({ where: key, create: { ruleId: rule.id, subject, ...data }, update: data });
  }
  return transitions;
}

function toHysteresisState(state: AlertState): HysteresisState {
  return { status: state.status, since: state.since, clearingSince: state.clearingSince };
}

async function recordTransition(
  tx: Prisma.TransactionClient,
  rule: AlertRuleConfig,
  subject: string,
  { value, threshold }: Sample,
  transition: "fired" | "resolved",
  previous: AlertState | undefined,
  input: AlertEvaluationInput,
): Promise<Transition> {
  const { now } = input;
  const startedAt = transition === "fired" ? now : (previous?.firedAt ?? previous?.since ?? now);
  const conditionFrom = new Date((transition === "fired" && previous?.status === "pending" ? previous.since : startedAt).getTime() - rule.windowMs);
  const incidentId = subject === FLEET_SUBJECT ? await findAlertIncident(tx, { from: conditionFrom, to: now, scope: rule }) : null;
  const link = buildAlertLink({ baseUrl: input.publicBaseUrl, subject, incidentId, startedAt, until: now });
  const notification: AlertNotification = { rule, status: transition === "fired" ? "firing" : "resolved", subject, value, threshold, startedAt, link };
  const history = await tx.alertHistory.create({
    data: {
      ruleId: rule.id,
      ruleName: rule.name,
      ruleKind: rule.kind,
      kind: transition,
      subject,
      value,
      threshold: comparedThreshold({ rule, threshold }),
      message: describeAlertValue(rule, subject, value, threshold),
      link: link.url,
      occurredAt: now,
    },
    select: { id: true },
  });
  const queued = await enqueueNotification(tx, { historyId: history.id, ruleId: rule.id, notification: toStoredNotification(notification, now), now });
  return { transition, historyId: history.id, queued };
}
