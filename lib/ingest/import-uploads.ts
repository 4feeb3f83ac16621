import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Role } from "@/lib/auth/roles.ts";
import type { Db } from "@/lib/db/client.ts";
import { InvalidInputError, TooLargeError } from "@/lib/errors/domain-errors.ts";
import { createLogger } from "@/lib/log/logger.ts";
import type { RecordFormat } from "@/lib/sources/record-formats.ts";
import { importFile } from "./import-file.ts";
import { deleteStoredUpload, deleteStoredUploadsOfRun, storeImportUpload } from "./import-upload-store.ts";
import { refuseUnimportableFile } from "./refuse-unimportable-file.ts";
import { acquireUploadLease } from "./upload-leases.ts";

export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
/** Who may upload files and discard an import's dead letters. */
export const IMPORT_ROLE = "support" satisfies Role;
const log = createLogger("import");

/**
 * Streams an uploaded body to a temporary file (bounded), keeps a copy in Postgres, then imports it in the background.
 * Resolves with the import run's ID as soon as the run exists, so the browser can poll progress while the import
 * continues. If this process dies mid-import, a worker's resume job imports the stored copy (decision 053).
 */
export async function startUploadedImport(
  db: Db,
  input: {
    body: ReadableStream<Uint8Array>;
    /** Who uploads (`uploaderKey`): concurrent file imports are bounded per uploader and overall (decision 085). */
    uploader: string;
    format: RecordFormat;
    fileName: string;
    /** When the run's heartbeat counts as stale; tests shorten it. */
    heartbeatStaleMs?: number;
    batchSize?: number;
    /** The year of the file's first year-less syslog line, when the uploader gives it. */
    syslogYear?: number | null;
  },
): Promise<{ runId: string; alreadyImported: boolean }> {
  // Taken before a byte is read and held until the import ends: its temporary file and stored copy live that long.
  const lease = await acquireUploadLease(db, { kind: "file-import", uploader: input.uploader });
  const dir = path.join(tmpdir(), "linkscope-uploads");
  const file = path.join(dir, `${randomUUID()}.upload`);
  const identity = { sha256: "", format: input.format.name };
  let uploadId: bigint | null = null;
  try {
    await mkdir(dir, { recursive: true });
    const saved = await saveBounded(input.body, file);
    identity.sha256 = saved.sha256;
    await refuseUnimportableFile(file, saved.size, input.format);
    const run = await db.importRun.findUnique({
      where: { fileSha256_format: { fileSha256: saved.sha256, format: input.format.name } },
      select: { status: true },
    });
    if (run?.status !== "completed") {
      uploadId = await storeImportUpload(db, file, {
        ...identity,
        fileName: input.fileName,
        bytes: saved.size,
        syslogYear: input.syslogYear ?? null,
      });
    }
  } catch (error) {
    await rm(file, { force: true });
    await lease.release();
    throw error;
  }
  // Progress is written to the run's row as the import goes, so any web process can report it.
  return new Promise((resolve, reject) => {
    let started = false;
    void importFile(db, {
      filePath: file,
      format: input.format,
      fileName: input.fileName,
      heartbeatStaleMs: input.heartbeatStaleMs,
      batchSize: input.batchSize,
      syslogYear: input.syslogYear ?? null,
      onStart: (runId, { alreadyImported }) => {
        started = true;
        resolve({ runId: runId.toString(), alreadyImported });
      },
    })
      .then(
        // A copy left behind (this delete failed) is removed by the resume job, which sees the run completed.
        () => deleteStoredUploadsOfRun(db, identity),
        async (error: Error) => {
          log.error({ err: error.message, format: input.format.name }, "import failed");
          // After the claim the stored copy stays: the resume job retries the run (decision 053).
          if (started) return;
          reject(error);
          // No run was claimed (another process imports this file, or the claim failed): this copy is not needed.
          if (uploadId !== null) await deleteStoredUpload(db, uploadId);
        },
      )
      .catch((error: unknown) => log.error({ err: error, format: input.format.name }, "stored upload could not be removed"))
      .finally(() => void rm(file, { force: true }).finally(() => lease.release()));
  });
}

async function saveBounded(body: ReadableStream<Uint8Array>, file: string): Promise<{ size: number; sha256: string }> {
  const out = createWriteStream(file);
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > MAX_UPLOAD_BYTES)
        throw new TooLargeError(
          "upload_too_large",
          `Uploads are limited to ${MAX_UPLOAD_BYTES} bytes; use \`npm run import\` for larger files.`,
        );
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
  } finally {
    await new Promise<void>((resolve) => out.end(() => resolve()));
  }
  if (size === 0) throw new InvalidInputError("empty_upload", "The uploaded file is empty.");
  return { size, sha256: hash.digest("hex") };
}
