import { randomBytes, createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import { storeImportUpload, UPLOAD_CHUNK_BYTES, writeStoredUpload } from "@/lib/ingest/import-upload-store.ts";
import { startUploadedImport } from "@/lib/ingest/import-uploads.ts";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.ts";

// `npm start` runs on the embedded database (PGlite through its socket): uploads are kept there as bytea chunks
// (decision 053), written and read back in chunks, and removed once their import completes.
let dataDir: string;
let embedded: EmbeddedPostgres;
let db: Db;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "linkscope-pglite-uploads-"));
  embedded = await startEmbeddedPostgres({ dataDir, maxConnections: 6 });
  await applyMigrations(embedded.url);
  db = createDb(embedded.url, 3);
}, 180_000);

afterAll(async () => {
  await db?.$disconnect();
  await embedded?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("uploads on the embedded database", () => {
  it("stores a multi-chunk upload as bytea and reads it back byte for byte", async () => {
    const bytes = randomBytes(UPLOAD_CHUNK_BYTES * 2 + 12_345);
    const source = path.join(dataDir, "random.bin");
    await writeFile(source, bytes);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const id = await storeImportUpload(db, source, { sha256, format: "mosquitto", fileName: "random.bin", bytes: bytes.length });
    expect(await db.importUploadChunk.count({ where: { uploadId: id } })).toBe(3);

    const copy = path.join(dataDir, "random.copy");
    await writeStoredUpload(db, id, { sha256, bytes: bytes.length }, copy);
    expect((await readFile(copy)).equals(bytes)).toBe(true);
    await db.importUpload.delete({ where: { id } });
    expect(await db.importUploadChunk.count({ where: { uploadId: id } })).toBe(0);
  }, 120_000);

  it("imports an upload and removes its stored copy once the run completes", async () => {
    const tag = randomUUID().slice(0, 8);
    const capture = await readFile(new URL("../../lib/sources/fixtures/mosquitto/capture-2.0.11.log", import.meta.url), "utf8");
    const log = capture.replaceAll(" dev-", ` ${tag}-`);
    const { runId } = await startUploadedImport(db, {
      body: new Blob([log]).stream(),
      format: getRecordFormat("mosquitto") as RecordFormat,
      fileName: `${tag}.log`,
    });
    const done = await waitFor(
      async () => ({
        run: await db.importRun.findUnique({ where: { id: BigInt(runId) } }),
        stored: await db.importUpload.count({ where: { fileName: `${tag}.log` } }),
      }),
      ({ run, stored }) => run?.status === "completed" && stored === 0,
      120_000,
    );
    expect(done.run?.status).toBe("completed");
    expect(Number(done.run?.eventsInserted)).toBeGreaterThan(0);
    expect(done.stored).toBe(0);
  }, 180_000);
});
