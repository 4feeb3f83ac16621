import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import type { Db } from "@/lib/db/client.ts";
import { IMPORT_HEARTBEAT_STALE_MS } from "./import-run-state.ts";

/** Bytes per stored chunk: one row each, so storing and reading back a 2 GB upload holds one chunk in memory. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

export type StoredUpload = { sha256: string; format: string; fileName: string; bytes: number; syslogYear?: number | null };

/**
 * Copies an uploaded file into Postgres (import_uploads + one import_upload_chunks row per chunk), so any process can
 * resume its import when the process that received it dies (decision 053). The upload counts as stored, and can be
 * resumed, only once every chunk is written; a failed copy removes its rows.
 */
export async function storeImportUpload(db: Db, filePath: string, upload: StoredUpload): Promise<bigint> {
  const row = await db.importUpload.create({
    data: {
      fileSha256: upload.sha256,
      format: upload.format,
      fileName: upload.fileName.slice(0, 300),
      bytes: BigInt(upload.bytes),
      syslogYear: upload.syslogYear ?? null,
    },
    select: { id: true },
  });
  try {
    let seq = 0;
    for await (const chunk of createReadStream(filePath, { highWaterMark: UPLOAD_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      await db.importUploadChunk.create({ data: { uploadId: row.id, seq, data: new Uint8Array(chunk) }, select: { seq: true } });
      seq += 1;
    }
    await db.importUpload.update({ where: { id: row.id }, data: { storedAt: new Date() }, select: { id: true } });
  } catch (error) {
    await db.importUpload.deleteMany({ where: { id: row.id } });
    throw error;
  }
  return row.id;
}

/** A stored upload read back does not match what was stored (a missing chunk, other bytes). */
export class StoredUploadMismatchError extends Error {
  override name = "StoredUploadMismatchError";
}

/**
 * Writes a stored upload's chunks to `filePath`, one chunk in memory at a time, and checks its size and SHA-256
 * against the upload's row, so the import that follows is the run the upload belongs to.
 */
export async function writeStoredUpload(db: Db, uploadId: bigint, expected: { sha256: string; bytes: number }, filePath: string) {
  const out = createWriteStream(filePath);
  const hash = createHash("sha256");
  let bytes = 0;
  const closed = new Promise<void>((resolve, reject) => {
    out.once("close", () => resolve());
    out.once("error", reject);
  });
  try {
    for (let seq = 0; ; seq += 1) {
      const chunk = await db.importUploadChunk.findUnique({ where: { uploadId_seq: { uploadId, seq } }, select: { data: true } });
      if (!chunk) break;
      hash.update(chunk.data);
      bytes += chunk.data.byteLength;
      if (!out.write(chunk.data)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
  } finally {
    out.end();
    await closed;
  }
  const sha256 = hash.digest("hex");
  if (bytes !== expected.bytes || sha256 !== expected.sha256) {
    throw new StoredUploadMismatchError(
      `stored upload ${uploadId} reads back as ${bytes} bytes (sha256 ${sha256}), not ${expected.bytes} bytes (${expected.sha256})`,
    );
  }
}

/** Removes the stored copies of a file whose import completed (their chunks go with them). */
export async function deleteStoredUploadsOfRun(db: Db, run: { sha256: string; format: string }): Promise<number> {
  // Only stored ones: an upload of the same file still being copied belongs to a request that will find the run
  // completed and remove its own copy.
  const { count } = await db.importUpload.deleteMany({
    where: { fileSha256: run.sha256, format: run.format, storedAt: { not: null } },
  });
  return count;
}

export async function deleteStoredUpload(db: Db, uploadId: bigint): Promise<void> {
  await db.importUpload.deleteMany({ where: { id: uploadId } });
}

/** Stored uploads deleted per retention pass at most (each may hold up to 2 GB of chunks). */
const EXPIRED_UPLOADS_PER_PASS = 20;

/**
 * Deletes stored uploads made before `cutoff` whose import is not running now: their resumes ran out or nothing
 * claimed them (retention, decision 053). A run still importing keeps its copy whatever its age.
 */
export async function deleteExpiredImportUploads(db: Db, cutoff: Date, now: Date): Promise<number> {
  const aliveSince = new Date(now.getTime() - IMPORT_HEARTBEAT_STALE_MS);
  return db.$executeRaw`
    DELETE FROM import_uploads WHERE id IN (
      SELECT u.id FROM import_uploads u
      LEFT JOIN import_runs r ON r.file_sha256 = u.file_sha256 AND r.format = u.format
      WHERE u.created_at < ${cutoff} AND NOT COALESCE(r.status = 'running' AND r.heartbeat_at >= ${aliveSince}, false)
      ORDER BY u.id
      LIMIT ${EXPIRED_UPLOADS_PER_PASS})`;
}
