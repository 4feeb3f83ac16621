import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { discardImportDeadLetters } from "./discard-import-dead-letters.ts";
import { createDb } from "@/lib/db/client.ts";
import { getImportRun } from "@/lib/queries/get-import-run.ts";
import { IMPORT_HEARTBEAT_STALE_MS } from "./import-run-state.ts";
import { importFile } from "./import-file.ts";
import { startUploadedImport } from "./import-uploads.ts";

const testDb = useTestDatabase();

const format = (name: string) => getRecordFormat(name) as RecordFormat;
const bodyOf = (bytes: Buffer) => new Blob([new Uint8Array(bytes)]).stream();
const fixture = (name: string) => readFileSync(new URL(`../sources/fixtures/${name}`, import.meta.url));

describe("uploaded imports", () => {
  it("refuses a binary file as a 415 before anything is stored", async () => {
    const upload = startUploadedImport(testDb.db, {
      uploader: `test:${randomUUID()}`,
      body: bodyOf(randomBytes(200 * 1024)),
      format: format("mosquitto"),
      fileName: "firmware.bin",
    });
    await expect(upload).rejects.toMatchObject({ kind: "unsupported_content", code: "not_a_text_file" });
    expect(await testDb.db.importRun.count({ where: { fileName: "firmware.bin" } })).toBe(0);
    expect(await testDb.db.deadLetter.count()).toBe(0);
  });

  it("refuses a file of only whitespace as a 400 before a run starts: there is nothing to import", async () => {
    const upload = startUploadedImport(testDb.db, {
      uploader: `test:${randomUUID()}`,
      body: bodyOf(Buffer.from(" \n\t\r\n\n  ")),
      format: format("hivemq"),
      fileName: "blank.log",
    });
    await expect(upload).rejects.toMatchObject({ kind: "invalid", code: "empty_upload", message: expect.stringContaining("no records") });
    expect(await testDb.db.importRun.count({ where: { fileName: "blank.log" } })).toBe(0);
  });

  it("refuses a file the chosen format reads nothing from, naming the format that fits", async () => {
    const upload = startUploadedImport(testDb.db, {
      uploader: `test:${randomUUID()}`,
      body: bodyOf(fixture("aws/presence-connected-docs.json")),
      format: format("mosquitto"),
      fileName: "aws.json",
    });
    await expect(upload).rejects.toMatchObject({
      kind: "unprocessable",
      code: "format_mismatch",
      details: { suggested: expect.stringMatching(/aws-iot|cloudwatch/) },
    });
  });

  it("refuses a file no format reads and the chosen one rejects (EMQX's own log lines), saying what the format reads", async () => {
    const emqxLog = Array.from(
      { length: 20 },
      (_, i) =>
        `2024-05-01T10:00:${String(i).padStart(2, "0")}.000000+00:00 [warning] clientid: c${i}, msg: client_disconnected, reason: tcp_closed`,
    ).join("\n");
    const upload = startUploadedImport(testDb.db, {
      uploader: `test:${randomUUID()}`,
      body: bodyOf(Buffer.from(emqxLog)),
      format: format("emqx"),
      fileName: "emqx.log.1",
    });
    await expect(upload).rejects.toMatchObject({
      kind: "unprocessable",
      code: "no_events",
      message: expect.stringMatching(
        /reads no events from this file .*record 1: text outside a JSON value\. It reads: EMQX rule-engine webhook/,
      ),
    });
    expect(await testDb.db.importRun.count({ where: { fileName: "emqx.log.1" } })).toBe(0);
  });

  it("ties an import's dead letters to its run, so support can discard them and nothing else", async () => {
    const tag = randomUUID().slice(0, 8);
    const log = `${fixture("mosquitto/capture-2.0.11.log").toString("utf8").replaceAll(" dev-", ` ${tag}-`)}\n1795345099: Client ${tag}\u0001bad disconnected.\n1795345099: New client connected from 1.2.3.4 as ${tag}\u0002x (p2, c1, k60).\n`;
    const { runId } = await startUploadedImport(testDb.db, {
      uploader: `test:${randomUUID()}`,
      body: bodyOf(Buffer.from(log)),
      format: format("mosquitto"),
      fileName: `${tag}.log`,
    });
    await waitFor(
      async () => (await getImportRun(testDb.db, BigInt(runId)))?.progress.state,
      (state) => state === "completed" || state === "failed",
      120_000,
    );
    const run = await testDb.db.importRun.findUniqueOrThrow({ where: { id: BigInt(runId) } });
    expect(Number(run.deadLetters)).toBe(2);
    const unrelated = await testDb.db.deadLetter.create({
      data: { source: "mosquitto", topic: null, error: "kept", payload: "x", payloadBytes: 1 },
    });

    expect(await discardImportDeadLetters(testDb.db, BigInt(runId))).toEqual({ found: true, discarded: 2 });
    expect(await testDb.db.deadLetter.count({ where: { importRunId: BigInt(runId) } })).toBe(0);
    expect(await testDb.db.deadLetter.findUnique({ where: { id: unrelated.id } })).not.toBeNull();
    expect(await discardImportDeadLetters(testDb.db, 999_999_999n)).toEqual({ found: false, discarded: 0 });
  });

  it("reports progress from the run's row, so a web process that did not receive the upload reads it too", async () => {
    const tag = randomUUID().slice(0, 8);
    const log = fixture("mosquitto/capture-2.0.11.log").toString("utf8").replaceAll(" dev-", ` ${tag}-`);
    const { runId, alreadyImported } = await startUploadedImport(testDb.db, {
      uploader: `test:${randomUUID()}`,
      body: bodyOf(Buffer.from(log)),
      format: format("mosquitto"),
      fileName: `${tag}.log`,
    });
    expect(alreadyImported).toBe(false);
    // A second client on its own pool stands for another web process: it shares only the database.
    const otherProcess = createDb(testDb.url, 1);
    try {
      const done = await waitFor(
        () => getImportRun(otherProcess, BigInt(runId)),
        (found) => found?.progress.state === "completed",
        120_000,
      );
      const { progress } = done ?? expect.unreachable();
      expect(progress.bytesRead).toBe(Buffer.byteLength(log));
      expect(progress.totalBytes).toBe(Buffer.byteLength(log));
      expect(progress.records).toBeGreaterThan(0);
      expect(progress.inserted).toBeGreaterThan(0);
    } finally {
      await otherProcess.$disconnect();
    }

    const again = await startUploadedImport(testDb.db, {
      uploader: `test:${randomUUID()}`,
      body: bodyOf(Buffer.from(log)),
      format: format("mosquitto"),
      fileName: `${tag}.log`,
    });
    expect(again).toEqual({ runId, alreadyImported: true });
  });

  it("calls a run whose process stopped interrupted, and lets the same file resume it", async () => {
    const tag = randomUUID().slice(0, 8);
    const log = fixture("mosquitto/capture-2.0.11.log").toString("utf8").replaceAll(" dev-", ` ${tag}-`);
    const path = `${tmpdir()}/${tag}.log`;
    writeFileSync(path, log);
    const sha256 = createHash("sha256").update(log).digest("hex");
    const lostAt = new Date(Date.now() - IMPORT_HEARTBEAT_STALE_MS - 1000);
    const lost = await testDb.db.importRun.create({
      data: {
        fileSha256: sha256,
        format: "mosquitto",
        fileName: `${tag}.log`,
        bytes: BigInt(log.length),
        status: "running",
        heartbeatAt: lostAt,
      },
    });
    expect((await getImportRun(testDb.db, lost.id))?.progress.state).toBe("interrupted");

    const resumed = await importFile(testDb.db, { filePath: path, format: format("mosquitto") });
    expect(resumed.runId).toBe(lost.id);
    expect((await getImportRun(testDb.db, lost.id))?.progress).toMatchObject({ state: "completed", inserted: resumed.inserted });
  });

  it("lets only one process import a file at a time", async () => {
    const tag = randomUUID().slice(0, 8);
    const log = fixture("mosquitto/capture-2.0.11.log").toString("utf8").replaceAll(" dev-", ` ${tag}-`);
    const path = `${tmpdir()}/${tag}.log`;
    writeFileSync(path, log);
    const sha256 = createHash("sha256").update(log).digest("hex");
    const running = await testDb.db.importRun.create({
      data: {
        fileSha256: sha256,
        format: "mosquitto",
        fileName: `${tag}.log`,
        bytes: BigInt(log.length),
        status: "running",
        heartbeatAt: new Date(),
      },
    });
    await expect(importFile(testDb.db, { filePath: path, format: format("mosquitto") })).rejects.toMatchObject({
      kind: "conflict",
      code: "import_in_progress",
    });
    expect(await testDb.db.importRun.findUniqueOrThrow({ where: { id: running.id } })).toMatchObject({
      status: "running",
      recordsDone: 0n,
    });
  });
});
