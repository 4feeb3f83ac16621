import type { AlertRule, AlertState } from "@/generated/prisma/client.ts";
import type { Db, Prisma } from "@/lib/db/client.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { loadAlertQuietContext, resolveAlertExclusions, type AlertExclusions } from "./alert-exclusions.ts";
import {
  describeDeviceGroup,
  describeNoticeReason,
  GROUP_LISTED_DEVICES,
  withNoticeReason,
  type NoticeReason,
} from "./alert-grouped-notification.ts";
import { FLEET_SUBJECT, MAX_FIRING_DEVICES_PER_RULE } from "./alert-kinds.ts";
import { buildAlertLink, describeAlertValue, type AlertNotification } from "./alert-notification.ts";
import { toAlertRuleConfig, type AlertRuleConfig } from "./alert-rule-config.ts";
import { comparedThreshold, toStoredNotification } from "./channels/stored-notification.ts";
import { enqueueNotification } from "./deliveries/enqueue-notification.ts";
import { findAlertIncident } from "./find-alert-incident.ts";
import { loadOfflineSince } from "./find-offline-devices.ts";
import { stepHysteresis, type HysteresisState } from "./hysteresis.ts";
import { findOfflineLonger, measureFleetValue, offlineMinutes, type RuleMeasurement } from "./measure-alert-rule.ts";
import { describeSuppression } from "./suppressed-note.ts";

export type AlertEvaluationRun = { rules: number; fired: number; resolved: number; renotified: number; suppressed: number; queued: number };
export type AlertEvaluationInput = {
  now: Date;
  publicBaseUrl: string;
  log?: Logger;
  /** Only these rules (tests that share a database with other tests' rules); default every enabled rule. */
  ruleIds?: string[];
};

// One writer of alert states at a time across worker processes (measuring happens outside the lock).
export const ALERT_LOCK_KEY = 0x6c6e6b61;

/**
 * Measures every enabled rule (without the devices and minutes silences, maintenance windows and the rule's own
 * exclusions leave out), steps each subject's hysteresis state, and records a history row per notification with its
 * deliveries (one per channel, sent by the delivery job after the commit, so a slow receiver never holds the lock;
 * none when the notification is suppressed). State lives in the database, so a restarted worker carries on where the
 * last one stopped.
 */
export async function evaluateAlertRules(db: Db, input: AlertEvaluationInput): Promise<AlertEvaluationRun> {
  const run: AlertEvaluationRun = { rules: 0, fired: 0, resolved: 0, renotified: 0, suppressed: 0, queued: 0 };
  const quiet = await loadAlertQuietContext(db, input.now);
  for (const row of await db.alertRule.findMany({
    where: { enabled: true, ...(input.ruleIds ? { id: { in: input.ruleIds } } : {}) },
    orderBy: { createdAt: "asc" },
  })) {
    const rule = toAlertRuleConfig(row);
    if (!rule) {
      input.log?.warn({ ruleId: row.id }, "alert rule has invalid parameters; skipped");
      continue;
    }
    run.rules++;
    const exclusions = await resolveAlertExclusions(db, quiet, rule);
    const samples = await measureSubjects(db, rule, input.now, exclusions);
    const notifications = await db.$transaction((tx) => applySamples(tx, row, rule, samples, exclusions.suppressedBy, input), {
      timeout: 30_000,
    });
    for (const { count, queued } of notifications) {
      for (const [key, value] of Object.entries(count) as [keyof typeof count, number][]) run[key] += value;
      run.queued += queued;
    }
  }
  return run;
}

type Sample = Pick<RuleMeasurement, "value" | "threshold">;

/**
 * Subject → value and threshold. Offline rules: every device already pending or firing, plus new ones up to the cap,
 * plus the fleet count; a tracked device that is now excluded measures 0, so its alert resolves.
 */
async function measureSubjects(db: Db, rule: AlertRuleConfig, now: Date, exclusions: AlertExclusions): Promise<Map<string, Sample>> {
  if (rule.kind !== "device_offline_longer") return new Map([[FLEET_SUBJECT, await measureFleetValue(db, rule, now, exclusions)]]);
  const sample = (value: number): Sample => ({ value, threshold: rule.threshold });
  const excluded = new Set(exclusions.deviceIds);
  const tracked = (
    await db.alertState.findMany({ where: { ruleId: rule.id, subject: { not: FLEET_SUBJECT } }, select: { subject: true } })
  ).map((s) => s.subject);
  const offlineSince = await loadOfflineSince(
    db,
    tracked.filter((subject) => !excluded.has(subject)),
  );
  const samples = new Map(
    tracked.map((subject) => {
      const since = offlineSince.get(subject);
      return [subject, sample(since ? offlineMinutes(since, now) : 0)] as const;
    }),
  );
  const { devices, total } = await findOfflineLonger(db, rule, now, exclusions);
  for (const device of devices) {
    if (samples.size >= MAX_FIRING_DEVICES_PER_RULE) break;
    samples.set(device.deviceId, sample(offlineMinutes(device.offlineSince, now)));
  }
  samples.set(FLEET_SUBJECT, sample(total));
  return samples;
}

type RunCount = Partial<Pick<AlertEvaluationRun, "fired" | "resolved" | "renotified" | "suppressed">>;
/** One history row and how many deliveries were queued for it (none when suppressed). */
type Notification = { count: RunCount; historyId: bigint; queued: number };
/** Something to tell about one subject: a transition, or a repeat of a firing alert. */
type Notice = {
  subject: string;
  value: number;
  threshold: number;
  status: "firing" | "resolved";
  reason: NoticeReason;
  muted: boolean;
  previous: AlertState | undefined;
};

async function applySamples(
  tx: Prisma.TransactionClient,
  row: AlertRule,
  rule: AlertRuleConfig,
  samples: Map<string, Sample>,
  suppressedBy: string | null,
  input: AlertEvaluationInput,
): Promise<Notification[]> {
  const { now } = input;
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${ALERT_LOCK_KEY}::bigint)::text`;
  // Edited, disabled or deleted while we measured: its states were reset; the next run measures it afresh.
  const current = await tx.alertRule.findUnique({ where: { id: row.id }, select: { updatedAt: true, enabled: true } });
  if (!current?.enabled || current.updatedAt.getTime() !== row.updatedAt.getTime()) return [];
  const states = new Map((await tx.alertState.findMany({ where: { ruleId: rule.id } })).map((state) => [state.subject, state]));
  const notices: Notice[] = [];
  for (const [subject, { value, threshold }] of samples) {
    const previous = states.get(subject);
    const key = { ruleId_subject: { ruleId: rule.id, subject } };
    if (rule.kind === "device_offline_longer" && subject === FLEET_SUBJECT) {
      // The count of devices offline too long: shown with the rule, never notified (each device alerts on its own).
      const data = { status: "ok" as const, since: previous?.since ?? now, lastValue: value, evaluatedAt: now, suppressedBy };
      await tx.alertState.upsert({ where: key, create: { ruleId: rule.id, subject, ...data }, update: data });
      continue;
    }
    const step = stepHysteresis(previous ? toHysteresisState(previous) : null, value, now, { ...rule.hysteresis, threshold });
    const notice = decideNotice(rule, step.transition, step.state.status, previous, now, suppressedBy);
    if (notice) notices.push({ subject, value, threshold, previous, ...notice });
    if (step.state.status === "ok" && subject !== FLEET_SUBJECT) {
      if (previous) await tx.alertState.delete({ where: key });
      continue;
    }
    const sent = notice && !notice.muted && notice.status === "firing";
    const resolved = step.state.status !== "firing";
    const data = {
      status: step.state.status,
      since: step.state.since,
      clearingSince: step.state.clearingSince,
      lastValue: value,
      firedAt: step.transition === "fired" ? now : resolved ? null : (previous?.firedAt ?? null),
      evaluatedAt: now,
      notifiedAt: sent ? now : resolved ? null : (previous?.notifiedAt ?? null),
      // An acknowledgement is about one firing; it ends when the alert resolves.
      acknowledgedAt: resolved ? null : (previous?.acknowledgedAt ?? null),
      acknowledgedBy: resolved ? null : (previous?.acknowledgedBy ?? null),
      suppressedBy,
    };
    await tx.alertState.upsert({ where: key, create: { ruleId: rule.id, subject, ...data }, update: data });
  }
  return recordNotices(tx, rule, notices, suppressedBy, input);
}

/**
 * Whether this evaluation tells anything about a subject. Transitions are always recorded, but muted (not sent)
 * while a silence or maintenance window applies, and a resolve is only sent for an alert whose firing was sent. A
 * firing alert that was never sent is sent once nothing mutes it any more; one that is not acknowledged is repeated
 * every `renotifyMs`.
 */
function decideNotice(
  rule: AlertRuleConfig,
  transition: "fired" | "resolved" | null,
  status: AlertState["status"],
  previous: AlertState | undefined,
  now: Date,
  suppressedBy: string | null,
): Pick<Notice, "status" | "reason" | "muted"> | null {
  const muted = suppressedBy !== null;
  if (transition === "fired") return { status: "firing", reason: "transition", muted };
  if (transition === "resolved") return { status: "resolved", reason: "transition", muted: muted || !previous?.notifiedAt };
  if (status !== "firing" || muted || previous?.acknowledgedAt) return null;
  if (!previous?.notifiedAt) return { status: "firing", reason: "after_silence", muted: false };
  if (rule.renotifyMs && now.getTime() - previous.notifiedAt.getTime() >= rule.renotifyMs)
    return { status: "firing", reason: "reminder", muted: false };
  return null;
}

function toHysteresisState(state: AlertState): HysteresisState {
  return { status: state.status, since: state.since, clearingSince: state.clearingSince };
}

function countNotice(notice: Pick<Notice, "status" | "reason" | "muted">, devices = 1): RunCount {
  const count: RunCount = {};
  if (notice.reason === "transition") count[notice.status === "firing" ? "fired" : "resolved"] = devices;
  else count.renotified = devices;
  if (notice.muted) count.suppressed = devices;
  return count;
}

/** Device notices that share a status, reason and muting are told in one grouped notification. */
async function recordNotices(
  tx: Prisma.TransactionClient,
  rule: AlertRuleConfig,
  notices: Notice[],
  suppressedBy: string | null,
  input: AlertEvaluationInput,
): Promise<Notification[]> {
  const groups = new Map<string, Notice[]>();
  for (const notice of notices) {
    const key = notice.subject === FLEET_SUBJECT ? `fleet` : `${notice.status}/${notice.reason}/${notice.muted}`;
    const group = groups.get(key);
    if (group) group.push(notice);
    else groups.set(key, [notice]);
  }
  const recorded: Notification[] = [];
  for (const group of groups.values()) {
    const [first] = group;
    if (!first) continue;
    recorded.push(
      group.length === 1
        ? await recordNotice(tx, rule, first, suppressedBy, input)
        : await recordDeviceGroup(tx, rule, group, suppressedBy, input),
    );
  }
  return recorded;
}

function historyNote(notice: Pick<Notice, "reason" | "muted">, suppressedBy: string | null): string {
  const parts = [describeNoticeReason(notice.reason), notice.muted ? describeSuppression(suppressedBy) : null].filter(Boolean);
  return parts.length > 0 ? ` — ${parts.join("; ")}` : "";
}

async function recordNotice(
  tx: Prisma.TransactionClient,
  rule: AlertRuleConfig,
  notice: Notice,
  suppressedBy: string | null,
  input: AlertEvaluationInput,
): Promise<Notification> {
  const { now } = input;
  const { subject, value, threshold, previous } = notice;
  const firedNow = notice.status === "firing" && notice.reason === "transition";
  const startedAt = firedNow ? now : (previous?.firedAt ?? previous?.since ?? now);
  const conditionFrom = new Date((firedNow && previous?.status === "pending" ? previous.since : startedAt).getTime() - rule.windowMs);
  const incidentId = subject === FLEET_SUBJECT ? await findAlertIncident(tx, { from: conditionFrom, to: now, scope: rule }) : null;
  const link = buildAlertLink({ baseUrl: input.publicBaseUrl, subject, incidentId, startedAt, until: now });
  const notification: AlertNotification = { rule, status: notice.status, subject, value, threshold, startedAt, link };
  const history = await tx.alertHistory.create({
    data: {
      ruleId: rule.id,
      ruleName: rule.name,
      ruleKind: rule.kind,
      kind: notice.status === "firing" ? "fired" : "resolved",
      subject,
      value,
      threshold: comparedThreshold(notification),
      message: describeAlertValue(rule, subject, value, threshold) + historyNote(notice, suppressedBy),
      link: link.url,
      occurredAt: now,
    },
    select: { id: true },
  });
  const message = withNoticeReason(describeAlertValue(rule, subject, value, threshold), notice.reason);
  const queued = notice.muted
    ? 0
    : await enqueueNotification(tx, {
        historyId: history.id,
        ruleId: rule.id,
        notification: toStoredNotification(notification, now, message),
        now,
      });
  return { count: countNotice(notice), historyId: history.id, queued };
}

async function recordDeviceGroup(
  tx: Prisma.TransactionClient,
  rule: AlertRuleConfig,
  group: Notice[],
  suppressedBy: string | null,
  input: AlertEvaluationInput,
): Promise<Notification> {
  const { now } = input;
  const [first] = group as [Notice, ...Notice[]];
  const deviceIds = group.map((notice) => notice.subject).sort();
  const startedAt = new Date(
    Math.min(
      ...group.map((n) =>
        (n.status === "firing" && n.reason === "transition" ? now : (n.previous?.firedAt ?? n.previous?.since ?? now)).getTime(),
      ),
    ),
  );
  const link = buildAlertLink({ baseUrl: input.publicBaseUrl, subject: FLEET_SUBJECT, incidentId: null, startedAt, until: now });
  const history = await tx.alertHistory.create({
    data: {
      ruleId: rule.id,
      ruleName: rule.name,
      ruleKind: rule.kind,
      kind: first.status === "firing" ? "fired" : "resolved",
      subject: `${deviceIds.length} devices`,
      value: deviceIds.length,
      threshold: rule.threshold,
      message: describeDeviceGroup(rule, first.status, deviceIds) + historyNote(first, suppressedBy),
      link: link.url,
      occurredAt: now,
    },
    select: { id: true },
  });
  const queued = first.muted
    ? 0
    : await enqueueNotification(tx, {
        historyId: history.id,
        ruleId: rule.id,
        notification: {
          ...toStoredNotification(
            { rule, status: first.status, subject: FLEET_SUBJECT, value: deviceIds.length, startedAt, link },
            now,
            withNoticeReason(describeDeviceGroup(rule, first.status, deviceIds), first.reason),
          ),
          devices: { count: deviceIds.length, listed: deviceIds.slice(0, GROUP_LISTED_DEVICES) },
        },
        now,
      });
  return { count: countNotice(first, group.length), historyId: history.id, queued };
}
