import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import { countConnectedDevicesAt } from "@/lib/fleet/connected-devices.ts";
import {
  describeScope,
  measureConnectedLevel,
  planConnectedDips,
  scopeKey,
  type ConnectedSample,
  type ConnectedScope,
  type DipThresholds,
  type ScopedLevel,
} from "./detect-connected-dips.ts";
import { summarizeDrops, type DetectedIncident } from "./detect-incidents.ts";
import { listConnectedScopes } from "./list-connected-scopes.ts";
import { loadDropSamples } from "./load-drop-samples.ts";
import { DETECTION_LOCK_KEY, describeIncident, writeDevices } from "./record-incidents.ts";

/** Counts seen by earlier runs, per scope: each run then asks for one count per scope, not a whole window. */
export type ConnectedHistory = Map<string, ConnectedSample[]>;

export type DipRun = { opened: number; attached: number; recovered: number };

// Without history (first run, new scope) the window is filled from these past instants, as fractions of it.
const BACKFILL_FRACTIONS = [1, 2 / 3, 1 / 3];

/** The connected count of each scope now, against the maximum of the window (history kept in `history`). */
export async function sampleConnectedLevels(
  db: Db,
  input: { now: Date; thresholds: DipThresholds; history: ConnectedHistory },
): Promise<ScopedLevel[]> {
  const { now, thresholds, history } = input;
  const levels: ScopedLevel[] = [];
  const seen = new Set<string>();
  for (const scope of await listConnectedScopes(db)) {
    const key = scopeKey(scope);
    seen.add(key);
    const samples = (history.get(key) ?? []).filter(
      (sample) => now.getTime() - sample.at.getTime() <= thresholds.windowMs && sample.at < now,
    );
    if (!samples.some((sample) => now.getTime() - sample.at.getTime() >= thresholds.windowMs / 2)) {
      for (const fraction of BACKFILL_FRACTIONS) {
        const at = new Date(now.getTime() - Math.round(thresholds.windowMs * fraction));
        samples.push({ at, connected: await countConnectedDevicesAt(db, at, scope) });
      }
    }
    samples.push({ at: now, connected: await countConnectedDevicesAt(db, now, scope) });
    samples.sort((a, b) => a.at.getTime() - b.at.getTime());
    history.set(key, samples);
    const level = measureConnectedLevel(samples, now, thresholds);
    if (level) levels.push({ scope, level });
  }
  for (const key of history.keys()) if (!seen.has(key)) history.delete(key);
  return levels;
}

/**
 * Opens a `connected_dip` incident when a scope's connected count fell by the thresholds (or records the dip on
 * an overlapping `mass_drop` incident of the same scope), follows its low point, and closes it on recovery.
 */
export async function runConnectedDipDetection(
  db: Db,
  input: { now: Date; thresholds: DipThresholds; history: ConnectedHistory },
): Promise<DipRun> {
  const { now, thresholds } = input;
  const levels = await sampleConnectedLevels(db, input);
  return db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${DETECTION_LOCK_KEY}::bigint)::text`;
      const run: DipRun = { opened: 0, attached: 0, recovered: 0 };
      const openRows = await tx.incident.findMany({
        where: { connectedBaseline: { not: null }, connectedRecoveredAt: null },
        select: { id: true, trigger: true, source: true, brokerNode: true, startedAt: true, connectedBaseline: true, connectedLow: true },
      });
      const openDips = openRows.map((row) => ({
        id: row.id,
        scope: { source: row.source, brokerNode: row.brokerNode },
        baseline: row.connectedBaseline ?? 0,
        low: row.connectedLow ?? row.connectedBaseline ?? 0,
      }));
      const plan = planConnectedDips(levels, openDips, thresholds);
      const rowsById = new Map(openRows.map((row) => [row.id, row]));

      for (const recovered of plan.recover) {
        const row = rowsById.get(recovered.id);
        const closing = row?.trigger === "connected_dip" ? { status: "closed" as const, endedAt: now } : {};
        await tx.incident.update({
          where: { id: recovered.id },
          data: { connectedLow: recovered.low, connectedRecoveredAt: now, ...closing },
        });
        run.recovered++;
      }
      for (const update of plan.update) {
        const row = rowsById.get(update.id);
        if (row?.trigger !== "connected_dip") {
          await tx.incident.update({ where: { id: update.id }, data: { connectedLow: update.low } });
          continue;
        }
        const scope = { source: row.source, brokerNode: row.brokerNode };
        const detected = await summarizeDisconnects(tx, scope, row.startedAt, now);
        const baseline = row.connectedBaseline ?? 0;
        await tx.incident.update({
          where: { id: row.id },
          data: { ...(detected ? describeDip(detected) : {}), title: titleDip(scope, baseline, update.low), connectedLow: update.low },
        });
        if (detected) {
          await tx.incidentDevice.deleteMany({ where: { incidentId: row.id } });
          await writeDevices(tx, row.id, detected);
        }
      }
      for (const { scope, level } of plan.open) {
        const overlapping =
          scope.source === null
            ? null
            : await tx.incident.findFirst({
                where: {
                  trigger: "mass_drop",
                  source: scope.source,
                  brokerNode: scope.brokerNode,
                  OR: [{ status: "open" }, { endedAt: { gte: level.baselineAt } }],
                },
                orderBy: { startedAt: "desc" },
              });
        const dipFields = {
          connectedBaseline: level.baseline,
          connectedLow: level.current,
          connectedDipAt: now,
          connectedRecoveredAt: null,
        };
        if (overlapping) {
          await tx.incident.update({ where: { id: overlapping.id }, data: dipFields });
          run.attached++;
          continue;
        }
        const detected = await summarizeDisconnects(tx, scope, level.baselineAt, now);
        const created = await tx.incident.create({
          data: {
            trigger: "connected_dip",
            status: "open",
            title: titleDip(scope, level.baseline, level.current),
            source: scope.source,
            brokerNode: scope.brokerNode,
            startedAt: detected?.startedAt ?? level.baselineAt,
            lastDropAt: detected?.lastDropAt ?? now,
            affectedDevices: 0,
            detectionKey: `dip|${scope.source ?? "*"}|${scope.brokerNode ?? "*"}|${level.baselineAt.toISOString()}`,
            ...(detected ? describeDip(detected) : {}),
            ...dipFields,
          },
        });
        if (detected) await writeDevices(tx, created.id, detected);
        run.opened++;
      }
      return run;
    },
    { timeout: 30_000 },
  );
}

/** The devices of the scope that disconnected since the dip began (clean disconnects too), or null if none did. */
async function summarizeDisconnects(
  tx: Prisma.TransactionClient,
  scope: ConnectedScope,
  from: Date,
  now: Date,
): Promise<DetectedIncident | null> {
  const samples = await loadDropSamples(tx, {
    from,
    to: now,
    source: scope.source ?? undefined,
    brokerNode: scope.brokerNode ?? undefined,
    includeClientDisconnects: true,
  });
  return samples.length > 0 ? summarizeDrops(samples, 0, now) : null;
}

function describeDip(detected: DetectedIncident) {
  const { startedAt, lastDropAt, affectedDevices, dominantReason, reasonCounts, codeCounts } = describeIncident(detected);
  return { startedAt, lastDropAt, affectedDevices, dominantReason, reasonCounts, codeCounts };
}

function titleDip(scope: ConnectedScope, baseline: number, low: number): string {
  const percent = baseline > 0 ? Math.round(((baseline - low) / baseline) * 100) : 0;
  return `Connected devices on ${describeScope(scope)} fell from ${baseline} to ${low} (−${percent} %)`;
}
