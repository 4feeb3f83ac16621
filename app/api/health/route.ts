import { getDb, type Db } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { handlePublicRoute } from "@/lib/http/route-handler.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { readReplicaHealth } from "@/lib/db/read-replica.ts";
import { listWorkerStatuses, type WorkerHeartbeat } from "@/lib/queries/list-worker-statuses.ts";
import { DEFAULT_PING_TIMEOUT_MS, pingDatabase, type DatabasePing } from "@/lib/queries/ping-database.ts";
import { DEFAULT_SOURCE_FAILING_AFTER_MS, summarizeHealth } from "@/lib/queries/summarize-health.ts";

const log = createLogger("health");

function readMilliseconds(name: string, fallback: number): number {
  const configured = Number(process.env[name]);
  return process.env[name] && Number.isFinite(configured) && configured >= 0 ? configured : fallback;
}

// How long a source may fail to commit before health says ok: false (default 60 s).
const SOURCE_FAILING_AFTER_MS = readMilliseconds("LINKSCOPE_HEALTH_FAILING_AFTER_MS", DEFAULT_SOURCE_FAILING_AFTER_MS);
// How long the database may take to answer before health says it is down (`npm start` raises it for the embedded
// database, which runs one statement at a time: a long fold or diagnosis holds the ping without anything being wrong).
const DATABASE_PING_TIMEOUT_MS = readMilliseconds("LINKSCOPE_HEALTH_DB_TIMEOUT_MS", DEFAULT_PING_TIMEOUT_MS);

async function checkDatabase(): Promise<{ db: Db | null; ping: DatabasePing }> {
  try {
    const db = getDb();
    return { db, ping: await pingDatabase(db, DATABASE_PING_TIMEOUT_MS) };
  } catch (error) {
    // getDb throws when DATABASE_URL is missing: that is an unhealthy database, not a server error.
    return { db: null, ping: { ok: false, error: error instanceof Error ? error.message : String(error) } };
  }
}

/**
 * Public liveness/readiness: 200 when the database answers (worker state is reported, not required); `ok` also
 * needs a connected worker and no source failing to commit for longer than LINKSCOPE_HEALTH_FAILING_AFTER_MS.
 */
export const GET = handlePublicRoute(async () => {
  const { db, ping } = await checkDatabase();
  let workers: WorkerHeartbeat[] = [];
  if (db && ping.ok) {
    workers = await listWorkerStatuses(db);
  } else if (!ping.ok) {
    log.warn({ error: ping.error }, "database ping failed");
  }
  const health = summarizeHealth({ dbOk: ping.ok, workers, now: new Date(), sourceFailingAfterMs: SOURCE_FAILING_AFTER_MS });
  // A replica that is away or behind sends the pages' reads to the primary: reported, never unhealthy.
  const replica = await readReplicaHealth();
  const readReplica = replica && { usable: replica.usable, lagSeconds: replica.lagSeconds };
  return createJsonResponse(readReplica ? { ...health, readReplica } : health, { status: health.db ? 200 : 503 });
});
