import { Prisma, type Db } from "@/lib/db/client.ts";
import { REASONS } from "@/lib/events/connection-event.ts";
import { connectedGaugeSql, connectedScopeConditions } from "@/lib/fleet/connected-devices.ts";
import { excludedRollupConditions, hasMeasurementExclusions, NO_EXCLUSIONS, type AlertExclusions } from "./alert-exclusions.ts";
import type { AlertRuleConfig } from "./alert-rule-config.ts";
import { baselineRanges, mergeRanges, type TimeRange } from "./baseline-rate.ts";
import { createRuleSeries, type RuleSeries } from "./rule-series.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const RowSchema = z.object({
  historyStart: SqlDate.nullable(),
  initial: z.number(),
  bucket: SqlDate.nullable(),
  value: z.number().nullable(),
});
type Row = z.infer<typeof RowSchema>;

/** The minute buckets a rate rule measured at every instant of [from, to] reads (window, and the baseline's hours). */
export function rateRanges(rule: Pick<AlertRuleConfig, "windowMs" | "baseline">, from: number, to: number): TimeRange[] {
  return mergeRanges([{ from: from - rule.windowMs, to }, ...(rule.baseline ? baselineRanges(from, to) : [])]);
}

/**
 * One set-based query for everything measuring the rule at any instant of [from, to] needs. Drop and code rates read
 * event_rollup_minute fleet-wide and device_reason_minute for a source / broker node (both count the same events);
 * connected counts read the gauge fleet_connected_minute. Baseline rules also get where the scope's history starts.
 * Exclusions (silenced and excluded devices, maintenance minutes) apply to every bucket read, the baseline's hours
 * included, so the usual rate is measured the same way as the current one.
 */
export async function loadRuleSeries(
  db: Db,
  rule: AlertRuleConfig,
  span: { from: Date; to: Date },
  exclusions: AlertExclusions = NO_EXCLUSIONS,
): Promise<RuleSeries> {
  const from = span.from.getTime();
  const to = span.to.getTime();
  const scope = connectedScopeConditions({ source: rule.source, brokerNode: rule.brokerNode });
  let rows: Row[];
  switch (rule.kind) {
    case "connected_below":
    case "connected_drop_percent": {
      const lower = new Date(rule.kind === "connected_drop_percent" ? from - rule.windowMs : from);
      const excluded = excludedSessionDeltas(rule, exclusions.deviceIds);
      // The count before the range comes from the gauge's latest snapshot (decision 026), minus excluded sessions.
      const initial = Prisma.sql`${connectedGaugeSql(lower, { source: rule.source, brokerNode: rule.brokerNode }, false)}
        + COALESCE((SELECT SUM(delta) FROM (${excluded}) x WHERE bucket < ${lower}), 0)`;
      rows = await queryRows(
        db,
        "loadRuleSeries.connected",
        RowSchema,
        Prisma.sql`
        WITH deltas AS (
          SELECT bucket, delta FROM fleet_connected_minute WHERE bucket >= ${lower} ${scope}
          UNION ALL ${excluded}
        )
        SELECT NULL::timestamptz AS "historyStart", h.initial, c.bucket, c.value
        FROM (SELECT (${initial})::int AS initial) h
        LEFT JOIN (
          SELECT bucket, SUM(delta)::int AS value FROM deltas
          WHERE bucket >= ${lower} AND bucket <= ${span.to} GROUP BY bucket
        ) c ON true
        ORDER BY c.bucket`,
      );
      break;
    }
    case "disconnect_rate_above":
    case "code_rate_above": {
      // Exclusions need the per-device rollup; it counts the same events as the fleet-wide one.
      const excluded = hasMeasurementExclusions(exclusions) ? excludedRollupConditions(exclusions) : null;
      const scoped = rule.source || rule.brokerNode || excluded;
      const table = scoped ? Prisma.sql`device_reason_minute` : Prisma.sql`event_rollup_minute`;
      const ranges = Prisma.join(
        rateRanges(rule, from, to).map((range) => Prisma.sql`(bucket >= ${new Date(range.from)} AND bucket < ${new Date(range.to)})`),
        " OR ",
      );
      const historyStart = rule.baseline
        ? Prisma.sql`(SELECT MIN(bucket) FROM fleet_connected_minute WHERE true ${scope})`
        : Prisma.sql`NULL::timestamptz`;
      rows = await queryRows(
        db,
        "loadRuleSeries.rate",
        RowSchema,
        Prisma.sql`
        SELECT h.start AS "historyStart", 0 AS initial, c.bucket, c.value
        FROM (SELECT ${historyStart} AS start) h
        LEFT JOIN (
          SELECT bucket, SUM(count)::int AS value FROM ${table}
          WHERE (${ranges}) AND ${countedEvents(rule)} ${scoped ? scope : Prisma.empty} ${excluded ?? Prisma.empty} GROUP BY bucket
        ) c ON true
        ORDER BY c.bucket`,
      );
      break;
    }
    case "device_offline_longer":
      throw new Error("offline rules are measured per device, not from rollups");
  }
  const first = rows[0];
  return createRuleSeries(
    rows.flatMap((row) => (row.bucket && row.value !== null ? [{ bucket: row.bucket.getTime(), value: row.value }] : [])),
    { initial: first?.initial ?? 0, historyStart: first?.historyStart?.getTime() ?? null },
  );
}

/**
 * Excluded devices' sessions as gauge deltas (by the device's source and broker node), minute by minute like the
 * gauge, to take back out of it so they never count as connected; an empty set when nothing is excluded.
 */
function excludedSessionDeltas(rule: Pick<AlertRuleConfig, "source" | "brokerNode">, excludedDeviceIds: string[]): Prisma.Sql {
  if (excludedDeviceIds.length === 0) return Prisma.sql`SELECT NULL::timestamptz AS bucket, 0 AS delta WHERE false`;
  const sourceFilter = rule.source ? Prisma.sql`AND d.source = ${rule.source}` : Prisma.empty;
  const nodeFilter = rule.brokerNode ? Prisma.sql`AND d.broker_node = ${rule.brokerNode}` : Prisma.empty;
  return Prisma.sql`
    SELECT e.bucket, e.delta FROM sessions s JOIN devices d ON d.id = s.device_id
    CROSS JOIN LATERAL (VALUES (date_trunc('minute', s.started_at), -1), (date_trunc('minute', s.ended_at), 1)) AS e(bucket, delta)
    WHERE s.device_id = ANY(${excludedDeviceIds}::text[]) AND e.bucket IS NOT NULL ${sourceFilter} ${nodeFilter}`;
}

/** Drops: disconnects other than clean client disconnects. Code rules: disconnects and refused connects with the vendor code or canonical reason. */
function countedEvents(rule: Pick<AlertRuleConfig, "kind" | "code">): Prisma.Sql {
  if (rule.kind !== "code_rate_above") return Prisma.sql`kind = 'disconnected' AND reason <> 'client_disconnect'`;
  const code = rule.code ?? "";
  const match = (REASONS as readonly string[]).includes(code) ? Prisma.sql`reason = ${code}::"Reason"` : Prisma.sql`code = ${code}`;
  return Prisma.sql`kind IN ('disconnected', 'connect_failed') AND ${match}`;
}
