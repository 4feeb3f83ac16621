import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import path from "node:path";
import type { Db } from "@/lib/db/client.ts";
import type { Logger } from "@/lib/log/logger.ts";
import type { RecordFormat } from "@/lib/sources/record-formats.ts";
import { claimImportRun, IMPORT_HEARTBEAT_STALE_MS, importHeartbeatIntervalMs, keepImportAlive } from "./import-run-state.ts";
import type { SplitRecord } from "./json-record-splitter.ts";
import { createRecordProcessor } from "./record-processor.ts";
import { createRecordReader, isGzip, readsRecords, trimLogLine, type RecordReader } from "./record-reader.ts";
import { createUtf8ChunkDecoder } from "./utf8-chunks.ts";
import { LINE_NOT_UTF8, pushDecodedRecord } from "./push-decoded-input.ts";
import { writeSourceBatch } from "./write-source-batch.ts";

/** Longest log line kept; the rest of a longer line is dropped and the line becomes a dead letter. */
const MAX_LINE_BYTES = 64 * 1024;

export type ImportProgress = {
  runId: bigint;
  bytesRead: number;
  totalBytes: number;
  records: number;
  inserted: number;
  duplicates: number;
  deadLetters: number;
  /**
   * Writes of the run's state that failed (logged): heartbeats, marking the run failed. A few are harmless; many mean
   * the run may look interrupted while it works, or failed without saying so.
   */
  progressWriteFailures: number;
};

export type ImportSummary = ImportProgress & { alreadyImported: boolean; resumedFrom: number; ms: number };

/**
 * Imports an exported log file in bounded memory: streamed in chunks, records parsed one by one, written in
 * batches of `batchSize` through the idempotent writer. The file's SHA-256 and format identify the import:
 * a completed file is not read again; an interrupted one resumes after its last committed batch.
 */
export async function importFile(
  db: Db,
  input: {
    filePath: string;
    format: RecordFormat;
    fileName?: string;
    batchSize?: number;
    onProgress?: (progress: ImportProgress) => void;
    /** Called once the import run is known (new, resumed or already completed). */
    onStart?: (runId: bigint, run: { alreadyImported: boolean }) => void;
    log?: Logger;
    /** When a run's heartbeat counts as stale (interrupted); tests shorten it, the heartbeat keeps pace. */
    heartbeatStaleMs?: number;
    /** The year of the file's first year-less syslog line (`--year`); else inferred. A resumed run keeps its own. */
    syslogYear?: number | null;
  },
): Promise<ImportSummary> {
  const started = performance.now();
  const batchSize = input.batchSize ?? 2000;
  const { size } = await stat(input.filePath);
  const sha256 = await hashFile(input.filePath);
  const format = input.format;
  const existing = await db.importRun.findUnique({ where: { fileSha256_format: { fileSha256: sha256, format: format.name } } });
  if (existing?.status === "completed") {
    input.onStart?.(existing.id, { alreadyImported: true });
    return {
      runId: existing.id,
      bytesRead: 0,
      totalBytes: size,
      records: Number(existing.recordsDone),
      inserted: 0,
      duplicates: 0,
      deadLetters: 0,
      progressWriteFailures: 0,
      alreadyImported: true,
      resumedFrom: Number(existing.recordsDone),
      ms: Math.round(performance.now() - started),
    };
  }
  const run = await claimImportRun(
    db,
    {
      sha256,
      format: format.name,
      fileName: input.fileName ?? path.basename(input.filePath),
      bytes: size,
      syslogYear: input.syslogYear ?? null,
    },
    existing,
    input.heartbeatStaleMs ?? IMPORT_HEARTBEAT_STALE_MS,
  );
  const resumeFrom = Number(run.recordsDone);
  input.onStart?.(run.id, { alreadyImported: false });
  const heartbeat = keepImportAlive(db, run.id, { log: input.log, intervalMs: importHeartbeatIntervalMs(input.heartbeatStaleMs) });

  // Year-less syslog times are placed relative to when the run started, so a resumed run places them as it did.
  const processor = createRecordProcessor(format, `import:${format.name}:${run.fileName}`, {
    syslogYear: { reference: run.startedAt, year: run.syslogYear },
  });
  const progress: ImportProgress = {
    runId: run.id,
    bytesRead: 0,
    totalBytes: size,
    records: 0,
    inserted: 0,
    duplicates: 0,
    deadLetters: 0,
    progressWriteFailures: 0,
  };
  let recordIndex = 0;
  let committedRecords = resumeFrom;

  async function flush(): Promise<void> {
    const drained = processor.drain();
    const events = drained.events;
    const deadLetters = drained.deadLetters.map((deadLetter) => ({ ...deadLetter, importRunId: run.id }));
    if (events.length === 0 && deadLetters.length === 0 && recordIndex === committedRecords) return;
    const result = await writeSourceBatch(db, {
      source: format.source,
      events,
      deadLetters,
      origins: drained.origins,
      importRunId: run.id,
      receivedAt: null,
      records: recordIndex - committedRecords,
    });
    committedRecords = recordIndex;
    progress.inserted += result.accepted;
    progress.duplicates += result.duplicate;
    progress.deadLetters += result.rejected;
    await db.importRun.update({
      where: { id: run.id },
      data: {
        recordsDone: BigInt(committedRecords),
        bytesRead: BigInt(progress.bytesRead),
        eventsInserted: { increment: result.accepted },
        duplicates: { increment: result.duplicate },
        deadLetters: { increment: result.rejected },
        progressWriteFailures: heartbeat.failures,
      },
    });
    progress.progressWriteFailures = heartbeat.failures;
    input.onProgress?.({ ...progress });
  }

  async function afterRecord(): Promise<void> {
    recordIndex += 1;
    progress.records = recordIndex;
    // Records before the resume point are still parsed (stateful formats need them) but were written already.
    if (recordIndex <= resumeFrom) {
      processor.drain();
      committedRecords = recordIndex;
      return;
    }
    if (recordIndex - committedRecords >= batchSize) await flush();
  }

  try {
    let asRecords: boolean | null = null;
    // The reader (JSON or CSV) is chosen from the file's first chunk.
    let records: RecordReader | null = null;
    const decoder = createUtf8ChunkDecoder();
    const lineDecoder = new TextDecoder("utf-8", { fatal: true });
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let lineBytes = 0;
    let lineTooLong = false;

    const pushRecords = async (records: SplitRecord[]) => {
      for (const record of records) {
        pushDecodedRecord(processor, record);
        await afterRecord();
      }
    };
    const pushLine = async (bytes: Buffer) => {
      if (lineTooLong) {
        processor.pushRejected(`log line longer than ${MAX_LINE_BYTES} bytes`, bytes, lineBytes);
      } else {
        let text: string | null = null;
        try {
          text = lineDecoder.decode(bytes);
        } catch {
          processor.pushRejected(LINE_NOT_UTF8, bytes);
        }
        if (text !== null) {
          if (text.trim() === "") return;
          processor.pushLine(trimLogLine(text));
        }
      }
      await afterRecord();
    };

    const file = createReadStream(input.filePath, { highWaterMark: 256 * 1024 });
    let compressedBytesRead = 0;
    let chunks: AsyncIterable<Buffer> = file;
    if (await isGzipFile(input.filePath)) {
      file.on("data", (chunk) => (compressedBytesRead += chunk.length));
      // A cut or corrupt gzip ends the file where it breaks: what was read before is kept, the break is a dead letter.
      chunks = readUntilBroken(file.pipe(createGunzip()), (error) =>
        processor.pushRejected(`the gzip file breaks off: ${error.message}`, ""),
      );
    }
    for await (const chunk of chunks) {
      progress.bytesRead = chunks === file ? progress.bytesRead + chunk.length : compressedBytesRead;
      // Records or lines is decided by the file's head: a log format's file may be a CloudWatch export of the log.
      asRecords ??= readsRecords(format, chunk.subarray(0, 64 * 1024).toString("utf8"));
      if (asRecords) {
        const text = decoder.decode(chunk);
        records ??= createRecordReader(format, text);
        await pushRecords(records.push(text));
      } else {
        let start = 0;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
          appendCarry(chunk.subarray(start, i));
          await pushLine(Buffer.concat(carry));
          carry = [];
          carryBytes = 0;
          lineBytes = 0;
          lineTooLong = false;
          start = i + 1;
        }
        appendCarry(chunk.subarray(start));
      }
    }
    if (records) await pushRecords([...records.push(decoder.decode(null)), ...records.end()]);
    else if (carryBytes > 0) await pushLine(Buffer.concat(carry));
    await flush();
    await db.importRun.update({
      where: { id: run.id },
      data: {
        status: "completed",
        finishedAt: new Date(),
        bytesRead: BigInt(size),
        heartbeatAt: null,
        progressWriteFailures: heartbeat.failures,
      },
    });

    function appendCarry(part: Buffer): void {
      if (part.length === 0) return;
      lineBytes += part.length;
      if (carryBytes + part.length > MAX_LINE_BYTES) {
        lineTooLong = true;
        if (carryBytes === 0) carry.push(part.subarray(0, 200));
        carryBytes = MAX_LINE_BYTES + 1;
        return;
      }
      carry.push(part);
      carryBytes += part.length;
    }
  } catch (error) {
    await heartbeat.markFailed(error as Error);
    progress.progressWriteFailures = heartbeat.failures;
    input.onProgress?.({ ...progress });
    throw error;
  } finally {
    heartbeat.stop();
  }
  progress.progressWriteFailures = heartbeat.failures;
  return { ...progress, alreadyImported: false, resumedFrom: resumeFrom, ms: Math.round(performance.now() - started) };
}

/** Export-to-S3 objects (CloudWatch Logs) and archived logs are gzip files; they are read as the text inside. */
async function isGzipFile(filePath: string): Promise<boolean> {
  const handle = await open(filePath, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && isGzip(head);
  } finally {
    await handle.close();
  }
}

async function* readUntilBroken(stream: AsyncIterable<Buffer>, onBreak: (error: Error) => void): AsyncIterable<Buffer> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (error) {
    onBreak(error as Error);
  }
}

async function hashFile(filePath: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest("hex");
}
