import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client.ts";
import { startJobQueue } from "@/lib/jobs/job-queue.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { deleteExpiredImportUploads, storeImportUpload, UPLOAD_CHUNK_BYTES } from "./import-upload-store.ts";
import { importFile } from "./import-file.ts";
import { startImportResumeJob } from "./import-resume-job.ts";
import { resumeUploadedImports } from "./resume-uploaded-imports.ts";

// Issue 13: an uploaded import survives the process that received it. The upload is kept in Postgres; a resume job in
// another process finishes the run, exactly once, and removes the stored copy.
const REPO = path.resolve(import.meta.dirname, "../..");
const STALE_MS = 1_500;
const mosquitto = getRecordFormat("mosquitto") as RecordFormat;
const capture = readFileSync(new URL("../sources/fixtures/mosquitto/capture-2.0.11.log", import.meta.url), "utf8");

const testDb = useTestDatabase();
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** `copies` copies of a Mosquitto capture, each with its own devices (`<tag>-<copy>-…`), in one file. */
function writeLog(tag: string, copies: number): { file: string; bytes: number; sha256: string } {
  let text = "";
  for (let copy = 0; copy < copies; copy += 1) text += capture.replaceAll(" dev-", ` ${tag}-${copy}-`);
  const file = path.join(tmpdir(), `${tag}.log`);
  writeFileSync(file, text);
  return { file, bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") };
}

/** `writeLog`, then the upload kept in Postgres as the receiving web process keeps it; no run is created. */
async function storeLog(tag: string, copies: number, format = "mosquitto") {
  const upload = writeLog(tag, copies);
  const fileName = `${tag}.log`;
  const id = await storeImportUpload(testDb.db, upload.file, { sha256: upload.sha256, format, fileName, bytes: upload.bytes });
  return { ...upload, fileName, id };
}

/** Events one copy of the capture yields, from an import of one copy under its own tag. */
async function eventsPerCopy(): Promise<number> {
  const tag = `cal${randomUUID().slice(0, 6)}`;
  const { file } = writeLog(tag, 1);
  await importFile(testDb.db, { filePath: file, format: mosquitto });
  return countEvents(tag);
}

async function countEvents(tag: string): Promise<number> {
  const [row] = await testDb.db.$queryRaw<{ n: number }[]>`
    SELECT COUNT(*)::int AS n FROM connection_events WHERE device_id LIKE ${`${tag}-%`}`;
  return row?.n ?? 0;
}

async function countDistinctEvents(tag: string): Promise<number> {
  const [row] = await testDb.db.$queryRaw<{ n: number }[]>`
    SELECT COUNT(DISTINCT dedupe_key)::int AS n FROM connection_events WHERE device_id LIKE ${`${tag}-%`}`;
  return row?.n ?? 0;
}

async function storedCopies(sha256: string): Promise<{ uploads: number; chunks: number }> {
  const [row] = await testDb.db.$queryRaw<{ uploads: number; chunks: number }[]>`
    SELECT (SELECT COUNT(*)::int FROM import_uploads WHERE file_sha256 = ${sha256}) AS uploads,
           (SELECT COUNT(*)::int FROM import_upload_chunks c JOIN import_uploads u ON u.id = c.upload_id
             WHERE u.file_sha256 = ${sha256}) AS chunks`;
  return row ?? { uploads: -1, chunks: -1 };
}

function captureLog(name: string): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { log: createLogger(name, destination), lines };
}

const runOf = (db: Db, sha256: string) =>
  db.importRun.findUnique({ where: { fileSha256_format: { fileSha256: sha256, format: "mosquitto" } } });

describe("uploaded imports that outlive their process", () => {
  it(
    "an upload whose process is SIGKILLed mid-import is finished by the resume job in another process, every event once",
    { timeout: 400_000 },
    async () => {
      const perCopy = await eventsPerCopy();
      expect(perCopy).toBeGreaterThan(0);
      const tag = `kill${randomUUID().slice(0, 6)}`;
      const copies = 300;
      const upload = writeLog(tag, copies);
      expect(upload.bytes).toBeGreaterThan(1024 * 1024); // more than one stored chunk

      // The "web process": receives the upload and imports it in small batches, so it is killed mid-import.
      const child = spawn(process.execPath, ["--import", "tsx", "lib/testing/upload-import-process.ts", upload.file, "mosquitto", "50"], {
        cwd: REPO,
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, DATABASE_URL: testDb.url, LOG_LEVEL: "warn" },
      });
      children.push(child);
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const output: string[] = [];
      if (child.stdout) createInterface({ input: child.stdout }).on("line", (line) => output.push(line));

      const started = await waitFor(
        () => runOf(testDb.db, upload.sha256),
        (run) => (run?.recordsDone ?? 0n) > 0n,
        240_000,
      );
      expect(started?.recordsDone).toBeGreaterThan(0n);
      child.kill("SIGKILL");
      await exited;
      expect(output.map((line) => JSON.parse(line) as unknown)).toEqual([{ runId: started?.id.toString(), alreadyImported: false }]);
      const killed = await runOf(testDb.db, upload.sha256);
      expect(killed?.status).toBe("running"); // the run was cut off mid-import
      const eventsAtKill = await countEvents(tag);
      expect(eventsAtKill).toBeLessThan(perCopy * copies);
      expect(await storedCopies(upload.sha256)).toEqual({ uploads: 1, chunks: Math.ceil(upload.bytes / UPLOAD_CHUNK_BYTES) });

      // Another process: the worker's resume job, with a heartbeat staleness of 1.5 s instead of 2 minutes.
      const { log, lines } = captureLog("import");
      const jobs = await startJobQueue(testDb.db, log);
      const job = await startImportResumeJob(jobs, testDb.db, log, { intervalMs: 1_000, heartbeatStaleMs: STALE_MS, batchSize: 500 });
      try {
        const done = await waitFor(
          async () => ({ run: await runOf(testDb.db, upload.sha256), stored: await storedCopies(upload.sha256) }),
          ({ run, stored }) => run?.status === "completed" && stored.uploads === 0,
          240_000,
        );
        expect(done.run?.id).toBe(started?.id);
        expect(done.run?.status).toBe("completed");
        expect(done.stored).toEqual({ uploads: 0, chunks: 0 });
      } finally {
        await job.stop();
        await jobs.stop();
      }
      expect(await countEvents(tag)).toBe(perCopy * copies);
      expect(await countDistinctEvents(tag)).toBe(perCopy * copies);
      const resumed = lines.filter((line) => line.includes('"msg":"uploaded import resumed"'));
      expect(resumed).toHaveLength(1);
      expect((JSON.parse(resumed[0] ?? "{}") as { resumedFrom: number }).resumedFrom).toBeGreaterThan(0);
    },
  );

  it("two resumers at once on the same interrupted upload: exactly one imports it", { timeout: 240_000 }, async () => {
    const perCopy = await eventsPerCopy();
    const tag = `two${randomUUID().slice(0, 6)}`;
    const copies = 40;
    const upload = await storeLog(tag, copies);
    const interrupted = await testDb.db.importRun.create({
      data: {
        fileSha256: upload.sha256,
        format: "mosquitto",
        fileName: upload.fileName,
        bytes: BigInt(upload.bytes),
        status: "running",
        heartbeatAt: new Date(Date.now() - 10 * STALE_MS),
      },
    });

    // Two processes: their own pools. A third session holds the upload's row until both have read it as a candidate
    // and wait to claim it, so neither can see the other's claim before making its own.
    const holder = new pg.Client({ connectionString: testDb.url });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM import_uploads WHERE file_sha256 = $1 FOR UPDATE", [upload.sha256]);
    const processes = [createDb(testDb.url, 2), createDb(testDb.url, 2)];
    const logs = [captureLog("import-a"), captureLog("import-b")];
    try {
      const resumes = Promise.all(
        processes.map((db, i) => resumeUploadedImports(db, { log: (logs[i] ?? captureLog("x")).log, heartbeatStaleMs: STALE_MS })),
      );
      // Polled from another session: pg_stat_activity is read once per transaction, and the holder is inside one.
      const waiting = async () => {
        const [row] = await testDb.db.$queryRaw<{ n: number }[]>`
          SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        return row?.n ?? 0;
      };
      expect(await waitFor(waiting, (n) => n >= 2, 60_000)).toBe(2);
      await holder.query("COMMIT");
      const results = await resumes;
      expect(results.map((r) => r.resumed).sort()).toEqual([0, 1]);
      expect(results.map((r) => r.skipped).sort()).toEqual([0, 1]);
      expect(results.map((r) => r.failed)).toEqual([0, 0]);
    } finally {
      await holder.end();
      await Promise.all(processes.map((db) => db.$disconnect()));
    }
    const lines = logs.flatMap((l) => l.lines);
    expect(lines.filter((line) => line.includes('"msg":"resuming uploaded import"'))).toHaveLength(1);
    expect(await runOf(testDb.db, upload.sha256)).toMatchObject({ id: interrupted.id, status: "completed" });
    expect(await countEvents(tag)).toBe(perCopy * copies);
    expect(await storedCopies(upload.sha256)).toEqual({ uploads: 0, chunks: 0 });
  });

  it("imports an upload whose run never started, and retries a failed run", { timeout: 240_000 }, async () => {
    const { log } = captureLog("import");
    const never = await storeLog(`nev${randomUUID().slice(0, 6)}`, 2);
    const failed = await storeLog(`fail${randomUUID().slice(0, 6)}`, 2);
    await testDb.db.importRun.create({
      data: {
        fileSha256: failed.sha256,
        format: "mosquitto",
        fileName: failed.fileName,
        bytes: BigInt(failed.bytes),
        status: "failed",
        error: "connection lost",
      },
    });

    // Just stored, no run yet: the receiving process gets the heartbeat's grace to claim it.
    await resumeUploadedImports(testDb.db, { log, heartbeatStaleMs: 60_000 });
    expect(await runOf(testDb.db, never.sha256)).toBeNull();

    const statuses = async () => {
      await resumeUploadedImports(testDb.db, { log, heartbeatStaleMs: 10 });
      return [(await runOf(testDb.db, never.sha256))?.status, (await runOf(testDb.db, failed.sha256))?.status];
    };
    expect(await waitFor(statuses, (s) => s.every((status) => status === "completed"), 120_000)).toEqual(["completed", "completed"]);
    expect(await runOf(testDb.db, never.sha256)).toMatchObject({ status: "completed" });
    expect(await runOf(testDb.db, failed.sha256)).toMatchObject({ status: "completed", error: null });
    expect(await storedCopies(never.sha256)).toEqual({ uploads: 0, chunks: 0 });
    expect(await storedCopies(failed.sha256)).toEqual({ uploads: 0, chunks: 0 });
  });

  it("stops resuming an upload after its attempts, and retention removes the copy later", { timeout: 120_000 }, async () => {
    const { log } = captureLog("import");
    // A format this version does not know: every resume fails the same way.
    const { id } = await storeLog(`brk${randomUUID().slice(0, 6)}`, 1, "retired-format");
    const options = { log, heartbeatStaleMs: 0, retryGapMs: 0, maxAttempts: 2 };
    const attempts = async () => (await testDb.db.importUpload.findUniqueOrThrow({ where: { id } })).resumeAttempts;
    await resumeUploadedImports(testDb.db, options);
    await resumeUploadedImports(testDb.db, options);
    expect(await attempts()).toBe(2);
    await resumeUploadedImports(testDb.db, options);
    expect(await testDb.db.importUpload.findUniqueOrThrow({ where: { id } })).toMatchObject({
      resumeAttempts: 2,
      lastResumeError: "unknown import format retired-format",
    });

    const now = new Date();
    expect(await deleteExpiredImportUploads(testDb.db, new Date(now.getTime() - 86_400_000), now)).toBe(0);
    await deleteExpiredImportUploads(testDb.db, new Date(now.getTime() + 1000), now);
    expect(await testDb.db.importUpload.findUnique({ where: { id } })).toBeNull();
    expect(await testDb.db.importUploadChunk.count({ where: { uploadId: id } })).toBe(0);
  });
});
