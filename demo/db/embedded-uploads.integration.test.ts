import { randomBytes, createHash, randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { storeImportUpload, UPLOAD_CHUNK_BYTES, writeStoredUpload } from "@/lib/ingest/import-upload-store.ts";
import { startUploadedImport } from "@/lib/ingest/import-uploads.ts";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { useMigratedEmbeddedDatabase } from "./migrated-embedded-database.ts";

// `npm start` runs on the embedded database (PGlite through its socket): uploads are kept there as bytea chunks
// (decision 053), written and read back in chunks, and removed once their import completes.
const embedded = useMigratedEmbeddedDatabase("uploads");

describe("uploads on the embedded database", () => {
  it("stores a multi-chunk upload as bytea and reads it back byte for byte", async () => {
    const bytes = randomBytes(UPLOAD_CHUNK_BYTES * 2 + 12_345);
    const source = path.join(embedded.dataDir, "random.bin");
    await writeFile(source, bytes);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const id = await storeImportUpload(embedded.db, source, { sha256, format: "mosquitto", fileName: "random.bin", bytes: bytes.length });
    expect(await embedded.db.importUploadChunk.count({ where: { uploadId: id } })).toBe(3);

    const copy = path.join(embedded.dataDir, "random.copy");
    await writeStoredUpload(embedded.db, id, { sha256, bytes: bytes.length }, copy);
    expect((await readFile(copy)).equals(bytes)).toBe(true);
    await embedded.db.importUpload.delete({ where: { id } });
    expect(await embedded.db.importUploadChunk.count({ where: { uploadId: id } })).toBe(0);
  }, 120_000);

  it("imports an upload and removes its stored copy once the run completes", async () => {
    const tag = randomUUID().slice(0, 8);
    const capture = await readFile(new URL("../../lib/sources/fixtures/mosquitto/capture-2.0.11.log", import.meta.url), "utf8");
    const log = capture.replaceAll(" dev-", ` ${tag}-`);
    const { runId } = await startUploadedImport(embedded.db, {
      uploader: `test:${tag}`,
      body: new Blob([log]).stream(),
      format: getRecordFormat("mosquitto") as RecordFormat,
      fileName: `${tag}.log`,
    });
    const done = await waitFor(
      async () => ({
        run: await embedded.db.importRun.findUnique({ where: { id: BigInt(runId) } }),
        stored: await embedded.db.importUpload.count({ where: { fileName: `${tag}.log` } }),
      }),
      ({ run, stored }) => run?.status === "completed" && stored === 0,
      120_000,
    );
    expect(done.run?.status).toBe("completed");
    expect(Number(done.run?.eventsInserted)).toBeGreaterThan(0);
    expect(done.stored).toBe(0);
  }, 180_000);
});
