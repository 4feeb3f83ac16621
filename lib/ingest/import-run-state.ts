import { Prisma, type Db } from "@/lib/db/client.ts";
import { ConflictError } from "@/lib/errors/domain-errors.ts";
import { createLogger, type Logger } from "@/lib/log/logger.ts";
import { redactText } from "@/lib/security/redact.ts";

const defaultLog = createLogger("import");

/** How often the importing process writes its run's heartbeat. */
export const IMPORT_HEARTBEAT_INTERVAL_MS = 15_000;
/** A running import whose heartbeat is this old has lost its process (a crash, a restart, a deploy). */
export const IMPORT_HEARTBEAT_STALE_MS = 2 * 60_000;

export type ImportRunState = "running" | "completed" | "failed" | "interrupted";

/** What a run's row says happened to it, judged by the database's record, never by which process asks. */
export function importRunState(
  run: { status: string; heartbeatAt: Date | null },
  now: Date,
  staleMs: number = IMPORT_HEARTBEAT_STALE_MS,
): ImportRunState {
  if (run.status === "completed" || run.status === "failed") return run.status;
  const alive = run.heartbeatAt !== null && now.getTime() - run.heartbeatAt.getTime() < staleMs;
  return alive ? "running" : "interrupted";
}

type RunIdentity = { sha256: string; format: string; fileName: string; bytes: number; syslogYear?: number | null };

/** How often a heartbeat is written so that a live run never looks stale after `staleMs`. */
export function importHeartbeatIntervalMs(staleMs: number = IMPORT_HEARTBEAT_STALE_MS): number {
  return Math.min(IMPORT_HEARTBEAT_INTERVAL_MS, Math.max(50, Math.floor(staleMs / 8)));
}

/**
 * Makes this process the one importing the file: a new run, or an earlier run of the same file that failed or was
 * interrupted (it resumes after its last committed batch). Atomic, so two processes given the same file never
 * import it side by side; the second is told the file is being imported. `staleMs` is shortened only by tests.
 */
export async function claimImportRun(
  db: Db,
  file: RunIdentity,
  existing: { id: bigint } | null,
  staleMs: number = IMPORT_HEARTBEAT_STALE_MS,
) {
  const now = new Date();
  const staleBefore = new Date(now.getTime() - staleMs);
  if (!existing) {
    try {
      return await db.importRun.create({
        data: {
          fileSha256: file.sha256,
          format: file.format,
          fileName: file.fileName.slice(0, 300),
          bytes: BigInt(file.bytes),
          syslogYear: file.syslogYear ?? null,
          status: "running",
          heartbeatAt: now,
        },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw importInProgress(null);
      throw error;
    }
  }
  // One UPDATE … RETURNING: the row handed back is the row this process claimed, not a later read of it.
  const [claimed] = await db.importRun.updateManyAndReturn({
    where: {
      id: existing.id,
      status: { not: "completed" },
      OR: [{ status: { not: "running" } }, { heartbeatAt: null }, { heartbeatAt: { lt: staleBefore } }],
    },
    data: { status: "running", error: null, heartbeatAt: now },
  });
  if (!claimed) throw importInProgress(existing.id);
  return claimed;
}

export type ImportHeartbeat = {
  /** Writes of the run's state that failed so far (heartbeats, marking it failed; each is logged). */
  readonly failures: number;
  /**
   * Ends the heartbeat and records that the run failed. The caller throws the import's own error, so a failed write
   * here is logged and counted, not thrown; the run then looks interrupted and stays resumable.
   */
  markFailed(cause: Error): Promise<void>;
  stop(): void;
};

/**
 * The one writer of the run's heartbeat while the import works (batches write progress, not the heartbeat). A failed
 * write is logged and counted, not fatal: the next one may succeed, and a run left stale is resumable.
 */
export function keepImportAlive(db: Db, runId: bigint, options: { log?: Logger; intervalMs?: number } = {}): ImportHeartbeat {
  const log = options.log ?? defaultLog;
  let failures = 0;
  const timer = setInterval(() => {
    db.importRun
      .updateMany({ where: { id: runId, status: "running" }, data: { heartbeatAt: new Date(), progressWriteFailures: failures } })
      .catch((error: unknown) => {
        failures += 1;
        log.warn({ err: describeWriteError(error), runId: runId.toString(), failures }, "import heartbeat failed");
      });
  }, options.intervalMs ?? IMPORT_HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return {
    get failures() {
      return failures;
    },
    async markFailed(cause) {
      clearInterval(timer);
      try {
        await db.importRun.update({
          where: { id: runId },
          data: { status: "failed", error: cause.message.slice(0, 2000), heartbeatAt: null, progressWriteFailures: failures },
        });
      } catch (error) {
        failures += 1;
        log.error({ err: describeWriteError(error), runId: runId.toString(), failures }, "import run could not be marked failed");
      }
    },
    stop: () => clearInterval(timer),
  };
}

/** A failed write's message, redacted: a rejected write's message may quote its data (the import error quotes the file). */
function describeWriteError(error: unknown): string {
  return redactText(error instanceof Error ? error.message : String(error)).slice(0, 500);
}

function importInProgress(runId: bigint | null): ConflictError {
  return new ConflictError(
    "import_in_progress",
    `This file is being imported already${runId === null ? "" : ` (import ${runId})`}; its progress is on the ingest page.`,
  );
}
