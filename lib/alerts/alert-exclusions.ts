import type { AlertSilence, MaintenanceWindow } from "@/generated/prisma/client.ts";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { connectedScopeConditions, type FleetScope } from "@/lib/fleet/connected-devices.ts";
import { BASELINE_DAYS, DAY_MS, HOUR_MS } from "./baseline-rate.ts";
import { findOpenOccurrence, listMaintenanceOccurrences, type TimeInterval } from "./maintenance-occurrences.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

/** A device that dropped in at least this many distinct hours of the day before a rule's window is a chronic flapper. */
export const CHRONIC_FLAPPING_HOURS = 6;

export type ExcludedInterval = TimeInterval & FleetScope;

/** What one rule leaves out of its measurement now, and what (if anything) mutes its notifications. */
export type AlertExclusions = {
  /** Devices out of the measurement: device / label silences and the rule's own exclusions. */
  deviceIds: string[];
  /** Maintenance occurrences overlapping the rule's window: events in them (and in their scope) do not count. */
  intervals: ExcludedInterval[];
  /** "silence: …" or "maintenance: …" while notifications are muted; null otherwise. */
  suppressedBy: string | null;
};

export const NO_EXCLUSIONS: AlertExclusions = { deviceIds: [], intervals: [], suppressedBy: null };

export type ExcludableRule = FleetScope & {
  id: string;
  windowMs: number;
  /** Baseline rules also read the same hour of the previous days: maintenance minutes there are left out too. */
  baseline?: unknown;
  excludeDeviceIds: string[];
  excludeLabels: string[];
  excludeFlapping: boolean;
};

/** Silences and maintenance windows in force for one evaluation run, loaded once and shared by every rule. */
export type AlertQuietContext = {
  now: Date;
  silences: AlertSilence[];
  windows: MaintenanceWindow[];
  flapping: Map<number, Promise<string[]>>;
};

export async function loadAlertQuietContext(db: Db, now: Date): Promise<AlertQuietContext> {
  const [silences, windows] = await Promise.all([
    db.alertSilence.findMany({ where: { startsAt: { lte: now }, endsAt: { gt: now } }, orderBy: { createdAt: "asc" } }),
    loadMaintenanceWindows(db, new Date(now.getTime() - (BASELINE_DAYS + 1) * DAY_MS), now),
  ]);
  return { now, silences, windows, flapping: new Map() };
}

/** Windows that can have an occurrence in [from, to]. */
function loadMaintenanceWindows(db: Db, from: Date, to: Date): Promise<MaintenanceWindow[]> {
  return db.maintenanceWindow.findMany({
    where: { startsAt: { lte: to }, OR: [{ until: null }, { until: { gte: new Date(from.getTime() - DAY_MS) } }] },
  });
}

/**
 * For a preview over [from, now]: no silences (they are one-off operator actions, not replayed over history), every
 * maintenance window that had an occurrence in the span (occurrences are computed from the schedule, so each counts
 * where it was in time, the baseline's earlier days included). The rule's own exclusions apply as they are now.
 */
export async function loadPreviewQuietContext(db: Db, from: Date, now: Date): Promise<AlertQuietContext> {
  return {
    now,
    silences: [],
    windows: await loadMaintenanceWindows(db, new Date(from.getTime() - (BASELINE_DAYS + 1) * DAY_MS), now),
    flapping: new Map(),
  };
}

/** The earliest instant a rule measured at `now` reads: its window, and for a baseline rule the same hour BASELINE_DAYS back. */
function measuredSince(rule: ExcludableRule, now: Date): Date {
  return new Date(now.getTime() - rule.windowMs - (rule.baseline ? BASELINE_DAYS * DAY_MS + HOUR_MS : 0));
}

/** A rule lies within a scope when it is limited to (at least) the same source and broker node. */
export function isRuleWithinScope(rule: FleetScope, scope: FleetScope): boolean {
  if (!scope.source && !scope.brokerNode) return true;
  return (!scope.source || rule.source === scope.source) && (!scope.brokerNode || rule.brokerNode === scope.brokerNode);
}

/**
 * The one place that decides what a rule leaves out (every rule kind measures through it): silenced and excluded
 * devices, maintenance occurrences, and whether a rule or scope silence or an open window mutes it.
 */
export async function resolveAlertExclusions(
  db: Db,
  context: AlertQuietContext,
  rule: ExcludableRule,
  measuredFrom?: Date,
): Promise<AlertExclusions> {
  const { now } = context;
  const applies = (silence: AlertSilence) => silence.ruleId === null || silence.ruleId === rule.id;
  const devices = new Set(rule.excludeDeviceIds);
  for (const silence of context.silences)
    if (silence.target === "devices" && applies(silence)) for (const id of silence.deviceIds) devices.add(id);
  const labels = [
    ...rule.excludeLabels.map(parseLabelMatch).filter((match) => match !== null),
    ...context.silences
      .filter((s) => s.target === "label" && applies(s) && s.labelKey)
      .map((s) => ({ key: s.labelKey ?? "", value: s.labelValue ?? "" })),
  ];
  for (const id of await findDevicesWithLabels(db, labels)) devices.add(id);
  if (rule.excludeFlapping) for (const id of await findChronicFlappers(db, context, rule.windowMs)) devices.add(id);

  const windowFrom = measuredSince(rule, measuredFrom ?? now);
  const intervals = context.windows.flatMap((window) =>
    listMaintenanceOccurrences(window, windowFrom, now).map((occurrence) => ({
      ...occurrence,
      source: window.source,
      brokerNode: window.brokerNode,
    })),
  );
  return { deviceIds: [...devices].sort(), intervals, suppressedBy: findSuppression(context, rule) };
}

function findSuppression(context: AlertQuietContext, rule: ExcludableRule): string | null {
  const silence = context.silences.find(
    (s) =>
      (s.target === "rule" && s.ruleId === rule.id) ||
      (s.target === "scope" && (s.ruleId === null || s.ruleId === rule.id) && isRuleWithinScope(rule, s)),
  );
  if (silence) return `silence: ${silence.reason}`;
  const window = context.windows.find((w) => isRuleWithinScope(rule, w) && findOpenOccurrence(w, context.now));
  return window ? `maintenance: ${window.name}` : null;
}

/** "key=value" → { key, value }; anything else is ignored (the schemas refuse it at the boundary). */
export function parseLabelMatch(text: string): { key: string; value: string } | null {
  const at = text.indexOf("=");
  return at > 0 ? { key: text.slice(0, at).trim(), value: text.slice(at + 1).trim() } : null;
}

async function findDevicesWithLabels(db: Db, labels: { key: string; value: string }[]): Promise<string[]> {
  if (labels.length === 0) return [];
  const matches = labels.map(({ key, value }) => Prisma.sql`labels ->> ${key} = ${value}`);
  const rows = await queryRows(
    db,
    "listLabelledDevices",
    z.object({ id: z.string() }),
    Prisma.sql`SELECT id FROM devices WHERE ${Prisma.join(matches, " OR ")}`,
  );
  return rows.map((row) => row.id);
}

/**
 * Devices already known to flap: they dropped in at least CHRONIC_FLAPPING_HOURS distinct hours of the day before the
 * rule's window (the same per-device drop rollup the fleet page's flapping list reads). A storm that starts inside
 * the window is therefore still measured.
 */
function findChronicFlappers(db: Db, context: AlertQuietContext, windowMs: number): Promise<string[]> {
  const cached = context.flapping.get(windowMs);
  if (cached) return cached;
  const to = new Date(context.now.getTime() - windowMs);
  const from = new Date(to.getTime() - DAY_MS);
  const found = queryRows(
    db,
    "listChronicFlappers",
    z.object({ deviceId: z.string() }),
    Prisma.sql`
      SELECT device_id AS "deviceId" FROM device_drop_minute
      WHERE bucket >= ${from} AND bucket < ${to}
      GROUP BY device_id
      HAVING COUNT(DISTINCT date_bin(INTERVAL '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00')) >= ${CHRONIC_FLAPPING_HOURS}`,
  ).then((rows) => rows.map((row) => row.deviceId));
  context.flapping.set(windowMs, found);
  return found;
}

export function hasMeasurementExclusions(exclusions: AlertExclusions | undefined): exclusions is AlertExclusions {
  return Boolean(exclusions && (exclusions.deviceIds.length > 0 || exclusions.intervals.length > 0));
}

/** `AND …` conditions on a per-device rollup (device_reason_minute): excluded devices and maintenance minutes left out. */
export function excludedRollupConditions(exclusions: AlertExclusions): Prisma.Sql {
  const devices = exclusions.deviceIds.length > 0 ? Prisma.sql`AND device_id <> ALL(${exclusions.deviceIds}::text[])` : Prisma.empty;
  // A minute bucket counts as inside a window when the window covers any part of it.
  const intervals = exclusions.intervals.map(
    (interval) =>
      Prisma.sql`AND NOT (bucket >= ${new Date(Math.floor(interval.from.getTime() / MINUTE_MS) * MINUTE_MS)} AND bucket < ${interval.to} ${connectedScopeConditions(interval)})`,
  );
  return Prisma.sql`${devices} ${intervals.length > 0 ? Prisma.join(intervals, " ") : Prisma.empty}`;
}
