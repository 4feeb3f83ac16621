import { z } from "zod";
import { createLogger } from "@/lib/log/logger.ts";
import { createDb, getDb, Prisma, type Db } from "./client.ts";
import { queryFirstRow } from "./query-rows.ts";

/** How long one answer about the replica holds before it is asked again. */
export const REPLICA_CHECK_EVERY_MS = 5_000;
/** A replica that has not answered the check by then is treated as away for REPLICA_CHECK_EVERY_MS. */
const REPLICA_CHECK_TIMEOUT_MS = 2_000;
const DEFAULT_MAX_LAG_SECONDS = 30;

export type ReplicaReading = { usable: boolean; lagSeconds: number | null; reason: string };

type ReplicaState = {
  url: string;
  db: Db;
  reading: ReplicaReading | null;
  readAt: number;
  checking: Promise<ReplicaReading> | null;
};

const globalForReplica = globalThis as unknown as { linkscopeReadReplica?: ReplicaState };
const log = createLogger("read-replica");

/**
 * The client for reads that may be a few seconds old: the fleet, device and code pages and their APIs. With
 * DATABASE_READ_URL set (a read replica), those reads go there while it answers and is at most
 * DATABASE_READ_MAX_LAG_SECONDS behind; otherwise, and without it, to the primary (getDb). What a user has just changed
 * (alert rules, tokens, share links, uploads), authentication, rate limits, import progress and every job stay on the
 * primary: a replica would show them seconds old or refuse their writes (decision 090).
 */
export async function getReadDb(): Promise<Db> {
  const state = replicaState();
  if (!state) return getDb();
  const reading = await readReplica(state);
  return reading.usable ? state.db : getDb();
}

/** The replica's last reading, for the health endpoint; null without DATABASE_READ_URL. */
export async function readReplicaHealth(): Promise<ReplicaReading | null> {
  const state = replicaState();
  return state ? readReplica(state) : null;
}

function replicaState(): ReplicaState | null {
  const url = process.env.DATABASE_READ_URL?.trim();
  if (!url) return null;
  const current = globalForReplica.linkscopeReadReplica;
  if (current?.url === url) return current;
  // A changed URL (tests, a reloaded module in dev) gets a client of its own; the old one is closed.
  void current?.db.$disconnect().catch(() => {});
  const state: ReplicaState = {
    url,
    db: createDb(url, Number(process.env.DATABASE_READ_POOL_MAX ?? process.env.DATABASE_POOL_MAX ?? 5)),
    reading: null,
    readAt: 0,
    checking: null,
  };
  globalForReplica.linkscopeReadReplica = state;
  return state;
}

async function readReplica(state: ReplicaState): Promise<ReplicaReading> {
  if (state.reading && Date.now() - state.readAt < REPLICA_CHECK_EVERY_MS) return state.reading;
  state.checking ??= checkReplica(state.db, maxLagSeconds()).then((reading) => {
    if (state.reading?.usable !== reading.usable) {
      if (reading.usable) log.info({ lagSeconds: reading.lagSeconds }, "reads go to the replica");
      else log.warn({ reason: reading.reason }, "reads go to the primary: the replica is not usable");
    }
    state.reading = reading;
    state.readAt = Date.now();
    state.checking = null;
    return reading;
  });
  return state.checking;
}

function maxLagSeconds(): number {
  const configured = Number(process.env.DATABASE_READ_MAX_LAG_SECONDS);
  return Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_MAX_LAG_SECONDS;
}

const LagRowSchema = z.object({ lagSeconds: z.number().nullable() });

/**
 * How far the replica is behind. A standby that has replayed all it received while streaming is current, however
 * long ago the primary last committed; otherwise the age of its last replayed commit is the lag (an idle primary
 * then reads as lagging, which only sends reads to the primary). A database that is not in recovery is read as
 * current: it is what the operator configured (a logical replica, or a copy in tests).
 */
export async function checkReplica(db: Db, maxLag: number): Promise<ReplicaReading> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REPLICA_CHECK_TIMEOUT_MS} ms`)), REPLICA_CHECK_TIMEOUT_MS);
  });
  try {
    const row = await Promise.race([
      queryFirstRow(
        db,
        "checkReplica",
        LagRowSchema,
        Prisma.sql`
        SELECT (CASE
          WHEN NOT pg_is_in_recovery() THEN 0
          WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
               AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
          ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
        END)::float8 AS "lagSeconds"`,
      ),
      timeout,
    ]);
    const lagSeconds = row?.lagSeconds ?? null;
    if (lagSeconds === null) return { usable: false, lagSeconds, reason: "the replica has replayed no transaction yet" };
    if (lagSeconds > maxLag)
      return { usable: false, lagSeconds, reason: `the replica is ${lagSeconds.toFixed(1)} s behind (at most ${maxLag} s allowed)` };
    return { usable: true, lagSeconds, reason: "current" };
  } catch (error) {
    // Prisma's message starts with the call it wrapped; its last line says what went wrong.
    const message = (error instanceof Error ? error.message : String(error)).trim().split("\n").at(-1);
    return { usable: false, lagSeconds: null, reason: `the replica did not answer: ${message}` };
  } finally {
    clearTimeout(timer);
  }
}
