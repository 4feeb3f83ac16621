import { readFile, stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  EVIDENCE_FORMATS,
  importDeviceEvidence,
  MAX_EVIDENCE_BYTES,
  type EvidenceFormat,
} from "@/lib/device-evidence/import-device-evidence.ts";
import { createDb } from "@/lib/db/client.ts";
import { importFile, type ImportProgress } from "@/lib/ingest/import-file.ts";
import { refuseUnimportableFile } from "@/lib/ingest/refuse-unimportable-file.ts";
import { RECORD_FORMATS, getRecordFormat } from "@/lib/sources/record-formats.ts";

// `npm run import -- <file> --format <format> [--batch-size 2000] [--year 2025]`: streams an exported log into DATABASE_URL;
// `--year` is the year of the first year-less syslog line (`Dec  4 23:30:56 host mosquitto[812]: …`), else inferred.
// `npm run import -- <file> --device <id> [--format auto|collector|home-assistant|journal|syslog] [--year 2026] [--utc-offset +01:00]`:
// device-side evidence for one device (docs/device-evidence.md).
const formats = Object.keys(RECORD_FORMATS).join(", ");
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    format: { type: "string" },
    "batch-size": { type: "string" },
    quiet: { type: "boolean" },
    device: { type: "string" },
    year: { type: "string" },
    "utc-offset": { type: "string" },
  },
});
const filePath = positionals[0];
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl)
  fail(
    'DATABASE_URL is not set. For `npm start`\'s embedded database, use the URL the launcher logs as "embedded Postgres (PGlite) started", or upload on the /ingest page.',
  );
if (values.device !== undefined) await importEvidence(values.device, databaseUrl);
const format = values.format ? getRecordFormat(values.format) : null;
if (!filePath || !format)
  fail(
    `usage: npm run import -- <file> --format <${formats}> [--year 2025]\n       npm run import -- <file> --device <device id> [--format ${EVIDENCE_FORMATS.join("|")}]`,
  );
const syslogYear = readYear(values.year);
const batchSize = Number(values["batch-size"] ?? 2000);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 20_000) fail("--batch-size must be a whole number from 1 to 20000");

const db = createDb(databaseUrl, 2);
const tty = process.stderr.isTTY;
let lastPrinted = 0;
function showProgress(p: ImportProgress, final = false): void {
  if (values.quiet) return;
  const fraction = p.totalBytes > 0 ? p.bytesRead / p.totalBytes : 1;
  const now = Date.now();
  if (!final && !tty && now - lastPrinted < 2000) return;
  lastPrinted = now;
  const width = 30;
  const bar = "#".repeat(Math.round(fraction * width)).padEnd(width, ".");
  const line = `[${bar}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${p.records} records  ${p.inserted} new  ${p.duplicates} duplicate  ${p.deadLetters} rejected${p.progressWriteFailures > 0 ? `  ${p.progressWriteFailures} progress writes failed` : ""}`;
  process.stderr.write(tty ? `\r${line}${final ? "\n" : ""}` : `${line}\n`);
}

try {
  // The upload's checks: a binary file or the wrong format would otherwise fill the dead-letter store line by line.
  await refuseUnimportableFile(filePath, (await stat(filePath)).size, format);
  const summary = await importFile(db, { filePath, format, batchSize, syslogYear, onProgress: (p) => showProgress(p) });
  if (summary.alreadyImported) {
    console.log(`already imported (run ${summary.runId}, ${summary.records} records): nothing added`);
  } else {
    showProgress(summary, true);
    const seconds = summary.ms / 1000;
    const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
    console.log(
      `imported ${summary.records} records in ${seconds.toFixed(1)} s (${Math.round(summary.records / Math.max(seconds, 0.001))} records/s)` +
        `: ${summary.inserted} new events, ${summary.duplicates} duplicates, ${summary.deadLetters} rejected (dead letters)` +
        `${summary.resumedFrom > 0 ? `, resumed after record ${summary.resumedFrom}` : ""}; RSS ${rss} MiB`,
    );
  }
} catch (error) {
  fail((error as Error).message);
} finally {
  await db.$disconnect();
}

/** Device-side evidence (collector export, Home Assistant diagnostics, agent export, journal, syslog) for one device. */
async function importEvidence(deviceId: string, url: string): Promise<never> {
  if (!filePath) fail("usage: npm run import -- <file> --device <device id>");
  const evidenceFormat = (values.format ?? "auto") as EvidenceFormat;
  if (!EVIDENCE_FORMATS.includes(evidenceFormat)) fail(`--format with --device must be one of ${EVIDENCE_FORMATS.join(", ")}`);
  const offset = values["utc-offset"];
  if (offset !== undefined && !/^[+-]\d{2}:\d{2}$/.test(offset)) fail("--utc-offset must look like +01:00");
  const year = readYear(values.year);
  const minutes =
    offset === undefined ? 0 : (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const db = createDb(url, 2);
  try {
    const size = (await stat(filePath)).size;
    if (size > MAX_EVIDENCE_BYTES) fail(`the file is ${size} bytes; the limit is ${MAX_EVIDENCE_BYTES}`);
    const result = await importDeviceEvidence(db, {
      deviceId,
      body: await readFile(filePath, "utf8"),
      format: evidenceFormat,
      year,
      utcOffsetMinutes: minutes,
    });
    console.log(JSON.stringify({ deviceId, ...result }));
    process.exit(0);
  } catch (error) {
    fail((error as Error).message);
  } finally {
    await db.$disconnect();
  }
}

function readYear(value: string | undefined): number | null {
  if (value === undefined) return null;
  const year = Number(value);
  if (!Number.isInteger(year) || year < 1970 || year > 9999) fail("--year must be a year such as 2026");
  return year;
}

function fail(message: string): never {
  console.error(`import: ${message}`);
  process.exit(1);
}
