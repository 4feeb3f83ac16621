import { Prisma, type Db } from "@/lib/db/client.ts";
import { mergeDeviceReports } from "@/lib/diagnosis/analysis-context.ts";
import type { ProbeEvidence } from "@/lib/diagnosis/probe-coincidence.ts";
import type { DiagnosisEvent, DiagnosisInput, FleetContext, MergedEvents } from "@/lib/diagnosis/types.ts";
import { loadProbeEvidenceAround } from "@/lib/probe-schedule/load-probe-evidence.ts";
import { listDeviceSamples } from "@/lib/device-evidence/device-samples.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { countActiveDevices, type FleetScope } from "./count-active-devices.ts";
import { DeviceEventCoreRowSchema, deviceEventsNewestFirst } from "./device-events-newest-first.ts";
import { EventKindSchema } from "@/lib/events/connection-event.ts";

/** The diagnosis looks at two weeks by default: long enough for daily JWT lifetimes, short enough to stay current. */
export const DIAGNOSIS_WINDOW_MS = 14 * 86_400_000;
/**
 * Bound on the events one diagnosis reads; a device in a storm keeps its newest events, and the diagnosis says from
 * when (analysedFrom). Above every history of the accuracy corpus (9,311 at most over its 200 seeds), so no ordinary device meets it;
 * 20,000 took the analyzers 2–3 times as long as 10,000 and never changed a storm's verdict (decision 084).
 */
export const MAX_DIAGNOSIS_EVENTS = 10_000;

const DiagnosisEventRowSchema = DeviceEventCoreRowSchema.extend({
  kind: EventKindSchema,
  clientIp: z.string().nullable(),
  keepaliveSec: z.number().int().nullable(),
  source: z.string(),
  feed: z.string().nullable(),
  brokerNode: z.string().nullable(),
});

const FleetMinuteRowSchema = z.object({ bucket: SqlDate, devices: z.number() });

function mostCommon(values: readonly (string | null | undefined)[]): string | null {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

export function chooseFleetScope(events: readonly (DiagnosisEvent & { brokerNode?: string | null })[]): FleetScope | null {
  const broker = events.filter((event) => event.kind !== "device_report");
  const side = broker.length > 0 ? "broker" : "device";
  const pool = broker.length > 0 ? broker : events;
  const source = mostCommon(pool.map((event) => event.source));
  if (!source) return null;
  const brokerNode = mostCommon(pool.filter((event) => event.source === source).map((event) => event.brokerNode));
  return { source, brokerNode, side };
}

/**
 * For each minute of this device's drops, the other devices of its fleet scope that dropped within a minute of it:
 * from device_reason_minute (per device, minute, source and node, kept by the writer) for broker-side scopes, from
 * the devices' own reports for a device-side scope. Bounded by the device's own drop minutes, never a fleet scan:
 * one index scan of three minutes per drop minute (LATERAL). As a join of the minute list to the table, the planner
 * could not estimate a `BETWEEN` on the list's values and, at 10M events, scanned all 90 days of every partition in
 * parallel with JIT: 1.4 s for a device with seven drop minutes (docs/benchmarks.md, "Read path at 10M events").
 */
async function loadDroppingDevices(
  db: Db,
  deviceId: string,
  scope: FleetScope,
  minutes: readonly number[],
): Promise<z.infer<typeof FleetMinuteRowSchema>[]> {
  if (minutes.length === 0) return [];
  const buckets = minutes.map((minute) => new Date(minute).toISOString());
  if (scope.side === "device") {
    return queryRows(
      db,
      "listFleetDropMinutes",
      FleetMinuteRowSchema,
      Prisma.sql`
      SELECT m.minute AS bucket, c.devices
      FROM unnest(${buckets}::timestamptz[]) AS m(minute)
      CROSS JOIN LATERAL (
        SELECT COUNT(DISTINCT e.device_id)::int AS devices FROM connection_events e
        WHERE e.occurred_at >= m.minute - interval '1 minute' AND e.occurred_at < m.minute + interval '2 minutes'
          AND e.device_id <> ${deviceId} AND e.source = ${scope.source}
          AND e.kind IN ('disconnected', 'device_report') AND e.reason NOT IN ('connected', 'client_disconnect', 'unknown')
      ) c
      WHERE c.devices > 0`,
    );
  }
  const node = scope.brokerNode === null ? Prisma.empty : Prisma.sql`AND d.broker_node = ${scope.brokerNode}`;
  return queryRows(
    db,
    "listFleetDropMinutes",
    FleetMinuteRowSchema,
    Prisma.sql`
    SELECT m.minute AS bucket, c.devices
    FROM unnest(${buckets}::timestamptz[]) AS m(minute)
    CROSS JOIN LATERAL (
      SELECT COUNT(DISTINCT d.device_id)::int AS devices FROM device_reason_minute d
      WHERE d.bucket BETWEEN m.minute - interval '1 minute' AND m.minute + interval '1 minute'
        AND d.device_id <> ${deviceId} AND d.kind = 'disconnected' AND d.reason <> 'client_disconnect'
        AND d.source = ${scope.source} ${node}
    ) c
    WHERE c.devices > 0`,
  );
}

/** The drops the engine will see: device-side reports count once they are normalized and deduplicated. */
function listDrops(merged: MergedEvents): DiagnosisEvent[] {
  return merged.events.filter((event) => event.kind === "disconnected" && event.reason !== "client_disconnect");
}

async function loadFleetContext(
  db: Db,
  deviceId: string,
  scope: FleetScope | null,
  drops: readonly DiagnosisEvent[],
  window: { from: Date; to: Date },
): Promise<FleetContext | null> {
  if (!scope) return null;
  const minutes = [...new Set(drops.map((drop) => Math.floor(drop.occurredAt.getTime() / MINUTE_MS) * MINUTE_MS))];
  const [devicesTotal, rows] = await Promise.all([
    countActiveDevices(db, deviceId, scope, window.from, window.to),
    loadDroppingDevices(db, deviceId, scope, minutes),
  ]);
  return { devicesTotal, otherDevicesDropping: new Map(rows.map((row) => [row.bucket.getTime(), row.devices])) };
}

/** A device's events over [from, to) plus fleet context: everything `diagnoseDevice` needs. */
export async function loadDiagnosisInput(
  db: Db,
  input: { deviceId: string; from: Date; to: Date; maxEvents?: number },
): Promise<DiagnosisInput> {
  const maxEvents = input.maxEvents ?? MAX_DIAGNOSIS_EVENTS;
  const device = deviceEventsNewestFirst(input.deviceId);
  const rows = await queryRows(
    db,
    "loadDiagnosisEvents",
    DiagnosisEventRowSchema,
    Prisma.sql`
    SELECT e.id, e.kind::text AS kind, e.occurred_at AS "occurredAt", e.reason::text AS reason, e.initiator::text AS initiator,
           e.code, e.message, e.client_ip AS "clientIp", e.keepalive_sec AS "keepaliveSec", e.source, e.feed, e.broker_node AS "brokerNode"
    FROM connection_events e
    WHERE ${device.where} AND e.occurred_at >= ${input.from} AND e.occurred_at < ${input.to}
    ${device.orderBy}
    LIMIT ${maxEvents + 1}`,
  );
  const loaded = rows
    .slice(0, maxEvents)
    .reverse()
    .map((row) => ({ ...row, id: row.id.toString() }));
  const window = { from: input.from, to: input.to };
  // Read once for both: the scope's fleet and probes around the drops the engine will see.
  const scope = chooseFleetScope(loaded);
  const events = loaded.map(({ brokerNode: _node, ...event }): DiagnosisEvent => event);
  const merged = mergeDeviceReports(events);
  const drops = listDrops(merged);
  const [fleet, probes, samples] = await Promise.all([
    loadFleetContext(db, input.deviceId, scope, drops, window),
    loadScopeProbes(db, scope, drops),
    listDeviceSamples(db, input),
  ]);
  return {
    deviceId: input.deviceId,
    events,
    merged,
    fleet,
    probes,
    window,
    truncated: rows.length > maxEvents,
    samples: samples.map(({ series, at, rssiDbm, linkQualityPct, publishedMessages }) => ({
      series,
      at,
      rssiDbm,
      linkQualityPct,
      publishedMessages,
    })),
  };
}

/** Our own probe runs of the broker the device's events came through, around its drops (lib/probe-schedule). */
async function loadScopeProbes(db: Db, scope: FleetScope | null, drops: readonly DiagnosisEvent[]): Promise<ProbeEvidence | null> {
  if (!scope || scope.side !== "broker") return null;
  return loadProbeEvidenceAround(
    db,
    scope,
    drops.map((drop) => drop.occurredAt),
  );
}
