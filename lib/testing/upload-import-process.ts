import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createDb } from "@/lib/db/client.ts";
import { startUploadedImport } from "@/lib/ingest/import-uploads.ts";
import { getRecordFormat } from "@/lib/sources/record-formats.ts";

// A web process receiving one upload, for tests that kill it mid-import:
//   node --import tsx lib/testing/upload-import-process.ts <file> <format> <batch size>   (DATABASE_URL set)
// Prints {"runId": …} once the run is claimed, then keeps importing until it ends or is killed.
const [filePath, formatName, batchSize] = process.argv.slice(2);
const format = formatName ? getRecordFormat(formatName) : undefined;
if (!filePath || !format || !process.env.DATABASE_URL) {
  console.error("usage: upload-import-process.ts <file> <format> <batch size> (DATABASE_URL set)");
  process.exit(2);
}
const db = createDb(process.env.DATABASE_URL, 2);
const started = await startUploadedImport(db, {
  body: Readable.toWeb(createReadStream(filePath)) as ReadableStream<Uint8Array>,
  uploader: `process:${process.pid}`,
  format,
  fileName: filePath.split("/").pop() ?? "upload.log",
  batchSize: Number(batchSize ?? 2000),
});
console.log(JSON.stringify(started));
