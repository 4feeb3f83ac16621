import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlCount, SqlDate } from "@/lib/db/sql-values.ts";
import { ConflictError } from "@/lib/errors/domain-errors.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { redactText } from "@/lib/security/redact.ts";
import { getRecordFormat } from "@/lib/sources/record-formats.ts";
import { importFile } from "./import-file.ts";
import { IMPORT_HEARTBEAT_STALE_MS, importRunState } from "./import-run-state.ts";
import { deleteStoredUploadsOfRun, writeStoredUpload } from "./import-upload-store.ts";

/** Resumes of one stored upload at most; then it is left to retention (and to the same file uploaded again). */
export const MAX_UPLOAD_RESUME_ATTEMPTS = 5;
/** Least time between two resumes of one upload, so a run that fails at once is not retried every tick. */
export const UPLOAD_RESUME_RETRY_GAP_MS = 5 * 60_000;
/** Stored uploads looked at per pass; the next pass takes the rest. */
const CANDIDATES_PER_PASS = 20;

export type ResumeUploadedImportsOptions = {
  log: Logger;
  /** When a run's heartbeat counts as stale (interrupted); tests shorten it. */
  heartbeatStaleMs?: number;
  retryGapMs?: number;
  maxAttempts?: number;
  batchSize?: number;
};

export type ResumeUploadedImportsResult = {
  /** Uploads this pass imported to completion. */
  resumed: number;
  /** Resumes that failed (the run is failed or interrupted again; retried until the attempts run out). */
  failed: number;
  /** Candidates another process claimed first. */
  skipped: number;
  /** Stored copies removed because their run had completed. */
  removed: number;
};

const CandidateRow = z.object({
  id: z.bigint(),
  file_sha256: z.string(),
  format: z.string(),
  file_name: z.string(),
  bytes: SqlCount,
  stored_at: SqlDate,
  resume_attempts: z.number().int(),
  syslog_year: z.number().int().nullable(),
  run_status: z.string().nullable(),
  run_heartbeat_at: SqlDate.nullable(),
});
type Candidate = z.infer<typeof CandidateRow>;

/**
 * One pass of the resume job (decision 053): removes stored uploads whose run completed, then imports, one after the
 * other, the stored uploads whose run was interrupted (its heartbeat stopped), failed, or never started. A resume is
 * claimed by counting an attempt on the upload's row (one process wins it); `importFile` then claims the run itself
 * and resumes after its last committed batch.
 */
export async function resumeUploadedImports(db: Db, options: ResumeUploadedImportsOptions): Promise<ResumeUploadedImportsResult> {
  const staleMs = options.heartbeatStaleMs ?? IMPORT_HEARTBEAT_STALE_MS;
  const result: ResumeUploadedImportsResult = { resumed: 0, failed: 0, skipped: 0, removed: 0 };
  result.removed = await db.$executeRaw`
    DELETE FROM import_uploads u USING import_runs r
    WHERE r.file_sha256 = u.file_sha256 AND r.format = u.format AND r.status = 'completed' AND u.stored_at IS NOT NULL`;

  const now = new Date();
  const retryBefore = new Date(now.getTime() - (options.retryGapMs ?? UPLOAD_RESUME_RETRY_GAP_MS));
  const rows = await queryRows(
    db,
    "listResumableUploads",
    CandidateRow,
    Prisma.sql`
    SELECT u.id, u.file_sha256, u.format, u.file_name, u.bytes, u.stored_at, u.resume_attempts, u.syslog_year,
           r.status AS run_status, r.heartbeat_at AS run_heartbeat_at
    FROM import_uploads u
    LEFT JOIN import_runs r ON r.file_sha256 = u.file_sha256 AND r.format = u.format
    WHERE u.stored_at IS NOT NULL
      AND u.resume_attempts < ${options.maxAttempts ?? MAX_UPLOAD_RESUME_ATTEMPTS}
      AND (u.last_resumed_at IS NULL OR u.last_resumed_at < ${retryBefore})
    ORDER BY u.id
    LIMIT ${CANDIDATES_PER_PASS}`,
  );
  const seen = new Set<string>();
  for (const upload of rows) {
    const runKey = `${upload.file_sha256}:${upload.format}`;
    if (seen.has(runKey) || !isResumable(upload, now, staleMs)) continue;
    seen.add(runKey);
    const outcome = await resumeUpload(db, upload, options, staleMs);
    result[outcome] += 1;
  }
  return result;
}

function isResumable(upload: Candidate, now: Date, staleMs: number): boolean {
  // No run yet: the receiving process stores the upload, then claims the run; give it the heartbeat's grace.
  if (upload.run_status === null) return now.getTime() - upload.stored_at.getTime() >= staleMs;
  const state = importRunState({ status: upload.run_status, heartbeatAt: upload.run_heartbeat_at }, now, staleMs);
  return state === "interrupted" || state === "failed";
}

async function resumeUpload(
  db: Db,
  upload: Candidate,
  options: ResumeUploadedImportsOptions,
  staleMs: number,
): Promise<"resumed" | "failed" | "skipped"> {
  const log = options.log;
  const claimed = await db.importUpload.updateMany({
    where: { id: upload.id, resumeAttempts: upload.resume_attempts },
    data: { resumeAttempts: { increment: 1 }, lastResumedAt: new Date() },
  });
  if (claimed.count === 0) return "skipped";
  const attempt = upload.resume_attempts + 1;
  const context = { uploadId: upload.id.toString(), format: upload.format, attempt };
  const dir = path.join(tmpdir(), "linkscope-uploads");
  const file = path.join(dir, `${randomUUID()}.resume`);
  try {
    const format = getRecordFormat(upload.format);
    if (!format) throw new Error(`unknown import format ${upload.format}`);
    await mkdir(dir, { recursive: true });
    await writeStoredUpload(db, upload.id, { sha256: upload.file_sha256, bytes: upload.bytes }, file);
    log.info(context, "resuming uploaded import");
    const summary = await importFile(db, {
      filePath: file,
      format,
      fileName: upload.file_name,
      heartbeatStaleMs: staleMs,
      batchSize: options.batchSize,
      syslogYear: upload.syslog_year,
      log,
    });
    await deleteStoredUploadsOfRun(db, { sha256: upload.file_sha256, format: upload.format });
    log.info(
      { ...context, runId: summary.runId.toString(), resumedFrom: summary.resumedFrom, inserted: summary.inserted, ms: summary.ms },
      "uploaded import resumed",
    );
    return "resumed";
  } catch (error) {
    if (error instanceof ConflictError) {
      // Another process holds the run (it claimed it between our read and our claim): not this upload's failure.
      await db.importUpload.updateMany({ where: { id: upload.id }, data: { resumeAttempts: { decrement: 1 } } });
      return "skipped";
    }
    const message = redactText(error instanceof Error ? error.message : String(error)).slice(0, 2000);
    await db.importUpload.updateMany({ where: { id: upload.id }, data: { lastResumeError: message } });
    const maxAttempts = options.maxAttempts ?? MAX_UPLOAD_RESUME_ATTEMPTS;
    if (attempt >= maxAttempts)
      log.error({ ...context, err: message }, "uploaded import failed; no more resumes (its copy is kept until retention)");
    else log.warn({ ...context, err: message }, "uploaded import failed; it will be resumed again");
    return "failed";
  } finally {
    await rm(file, { force: true });
  }
}
