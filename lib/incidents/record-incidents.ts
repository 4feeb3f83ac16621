import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { detectIncidents, summarizeDrops, type DetectedIncident, type DetectionThresholds } from "./detect-incidents.ts";
import { countDroppingDevices, countFleetDevices, loadDropSamples } from "./load-drop-samples.ts";

export type DetectionRun = { opened: number; extended: number; closed: number };

// One detector at a time across every worker process: two workers must not both open the same incident.
export const DETECTION_LOCK_KEY = 0x6c6e6b73;

/**
 * Looks for mass drops in [from, to] and opens, extends or closes `mass_drop` incidents. Idempotent: running it
 * again over the same window changes nothing, and an incident that overlaps an earlier one extends that one.
 */
export async function runIncidentDetection(
  db: Db,
  input: { from: Date; to: Date; now: Date; thresholds: DetectionThresholds },
): Promise<DetectionRun> {
  const { thresholds, now } = input;
  return db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${DETECTION_LOCK_KEY}::bigint)::text`;
      const run: DetectionRun = { opened: 0, extended: 0, closed: 0 };
      const fleetSize = await countFleetDevices(tx);
      const needed = Math.max(thresholds.minDevices, Math.ceil(thresholds.minFleetFraction * fleetSize));
      if ((await countDroppingDevices(tx, input.from, input.to)) >= needed) {
        // The quiet period before the window shows which devices were flapping already (detectIncidents leaves them out).
        const samples = await loadDropSamples(tx, { from: new Date(input.from.getTime() - thresholds.quietMs), to: input.to });
        for (const detected of detectIncidents(samples, fleetSize, thresholds, now)) {
          const existing = await tx.incident.findFirst({
            where: {
              trigger: "mass_drop",
              source: detected.source,
              brokerNode: detected.brokerNode,
              startedAt: { lte: new Date(detected.lastDropAt.getTime() + thresholds.quietMs) },
              lastDropAt: { gte: new Date(detected.startedAt.getTime() - thresholds.quietMs) },
            },
            orderBy: { startedAt: "asc" },
          });
          if (existing) {
            // Recount over the whole span so a lookback window that cut the incident's start loses nothing.
            const from = existing.startedAt < detected.startedAt ? existing.startedAt : detected.startedAt;
            const to = existing.lastDropAt > detected.lastDropAt ? existing.lastDropAt : detected.lastDropAt;
            const span = await loadDropSamples(tx, {
              from: new Date(from.getTime() - thresholds.quietMs),
              to,
              source: detected.source,
              brokerNode: detected.brokerNode,
            });
            // The same burst rules over the whole span, so flapping devices' drops between waves stay out.
            const [recounted] = detectIncidents(span, fleetSize, thresholds, now);
            await writeIncident(
              tx,
              existing.id,
              recounted ??
                summarizeDrops(
                  span.filter((drop) => drop.at >= from),
                  thresholds.quietMs,
                  now,
                ),
            );
            run.extended++;
          } else {
            const detectionKey = `${detected.source}|${detected.brokerNode ?? ""}|${detected.startedAt.toISOString()}`;
            const created = await tx.incident.create({ data: { ...describeIncident(detected), trigger: "mass_drop", detectionKey } });
            await writeDevices(tx, created.id, detected);
            run.opened++;
          }
        }
      }
      const closed = await tx.incident.updateMany({
        where: { trigger: "mass_drop", status: "open", lastDropAt: { lt: new Date(now.getTime() - thresholds.quietMs) } },
        data: { status: "closed" },
      });
      await tx.$executeRaw`UPDATE incidents SET ended_at = last_drop_at WHERE status = 'closed' AND ended_at IS NULL`;
      run.closed = closed.count;
      return run;
    },
    { timeout: 30_000 },
  );
}

export type ManualIncidentInput = {
  from: Date;
  to: Date;
  source?: string | undefined;
  reason?: Reason | undefined;
  title?: string | undefined;
};

/** An incident declared by support over a chosen window: every device that dropped in it (matching the filter); audited. */
export async function createManualIncident(
  db: Db,
  input: ManualIncidentInput,
  by: { actor: Actor; ip?: string | null },
): Promise<{ id: string; affectedDevices: number }> {
  if (input.to <= input.from) throw new InvalidInputError("invalid_window", "`to` must be after `from`.");
  const samples = await loadDropSamples(db, { from: input.from, to: input.to, source: input.source, reason: input.reason });
  if (samples.length === 0) throw new InvalidInputError("no_drops", "No device dropped in that window with that filter.");
  const summary = summarizeDrops(samples, 0, input.to);
  return db.$transaction(async (tx) => {
    const described = describeIncident(summary);
    const created = await tx.incident.create({
      data: {
        ...described,
        trigger: "manual",
        status: "closed",
        title: input.title ?? `Manual: ${described.title}`,
        source: input.source ?? null,
        brokerNode: null,
        startedAt: input.from,
        endedAt: input.to,
        createdBy: by.actor.label,
      },
    });
    await writeDevices(tx, created.id, summary);
    await recordAuditEvent(tx, {
      action: "incident.created",
      actor: by.actor,
      ip: by.ip,
      target: { type: "incident", id: created.id },
      details: {
        from: input.from.toISOString(),
        to: input.to.toISOString(),
        source: input.source ?? null,
        reason: input.reason ?? null,
        devices: summary.devices.length,
      },
    });
    return { id: created.id, affectedDevices: summary.devices.length };
  });
}

export function describeIncident(incident: DetectedIncident) {
  const scope = incident.brokerNode ? `${incident.source} node ${incident.brokerNode}` : incident.source;
  return {
    status: incident.ended ? ("closed" as const) : ("open" as const),
    title: `${incident.devices.length} devices dropped on ${scope} (${incident.dominantReason})`,
    startedAt: incident.startedAt,
    lastDropAt: incident.lastDropAt,
    endedAt: incident.ended ? incident.lastDropAt : null,
    source: incident.source,
    brokerNode: incident.brokerNode,
    affectedDevices: incident.devices.length,
    dominantReason: incident.dominantReason,
    reasonCounts: incident.reasonCounts,
    codeCounts: incident.codeCounts,
  };
}

async function writeIncident(tx: Prisma.TransactionClient, id: string, incident: DetectedIncident): Promise<void> {
  const { title, ...fields } = describeIncident(incident);
  await tx.incident.update({ where: { id }, data: { ...fields, title } });
  await tx.incidentDevice.deleteMany({ where: { incidentId: id } });
  await writeDevices(tx, id, incident);
}

export async function writeDevices(tx: Prisma.TransactionClient, incidentId: string, incident: DetectedIncident): Promise<void> {
  await tx.incidentDevice.createMany({
    data: incident.devices.map((device) => ({
      incidentId,
      deviceId: device.deviceId,
      firstDropAt: device.firstDropAt,
      drops: device.drops,
      reason: device.reason,
    })),
    skipDuplicates: true,
  });
}
