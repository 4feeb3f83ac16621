import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { z } from "zod";
import { AGENT_EXPORT_FORMAT, MAX_EXPORT_BYTES } from "@/lib/agent/export-format.ts";
import type { Db } from "@/lib/db/client.ts";
import { DomainError, InvalidInputError, TooLargeError } from "@/lib/errors/domain-errors.ts";
import { describeZodError, listZodIssues } from "@/lib/validation/zod-issues.ts";
import { importAgentExport } from "@/lib/ingest/import-agent-export.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import { writeUploadRecords, type UploadOutcome, type UploadRecord } from "@/lib/ingest/write-upload-records.ts";
import {
  CollectorConnectionSchema,
  CollectorDropSchema,
  CollectorExportEnvelopeSchema,
  isHomeAssistantDiagnostics,
  locateCollectorExport,
  replaceNonFiniteNumbers,
  toCollectorConnectionEvent,
  toCollectorDropEvent,
  toCollectorSample,
  type CollectorExportEnvelope,
} from "./collector-export.ts";
import { recordDeviceSamples } from "./device-samples.ts";
import { readSystemLog, toSystemLogEvents, type SystemLogSummary } from "./system-log.ts";
import { refuseSampleTime, type DeviceSample } from "./device-sample.ts";
import { isDatabaseUnavailable, readDatabaseErrorLine } from "@/lib/db/database-unavailable.ts";
import { describeUpload } from "@/lib/ingest/describe-upload.ts";
import { toRefusedSampleDeadLetter } from "@/lib/ingest/write-source-batch.ts";
import { formatUploadReader, toDeviceUploadTopic } from "@/lib/ingest/dead-letter-topics.ts";

export const DEVICE_EVIDENCE_UPLOAD_SOURCE = "device-evidence-upload";
/** Journals are larger than exports; JSON exports keep the agent export's 2 MiB bound. */
export const MAX_EVIDENCE_BYTES = 8 * 1024 * 1024;

export const EVIDENCE_FORMATS = ["auto", "agent", "collector", "home-assistant", "journal", "syslog"] as const;
export type EvidenceFormat = (typeof EVIDENCE_FORMATS)[number];

export type EvidenceImportResult = UploadOutcome & {
  /** What the file was read as. */
  format: "agent" | "collector" | "home-assistant" | "system-log";
  samples: number;
  /** System logs: lines read, lines not recognised as system events, lines in no known form, events over the bound. */
  lines?: number;
  unrecognized?: number;
  unreadable?: number;
  skipped?: number;
};

export type EvidenceImportInput = {
  deviceId: string;
  body: string;
  format?: EvidenceFormat;
  /** Year-less syslog lines are placed no more than a day after this (default: now); see docs/device-evidence.md. */
  reference?: Date;
  /** The year of the log's first year-less line, when the uploader gives it (later lines roll over after December). */
  year?: number | null;
  utcOffsetMinutes?: number;
};

const WHAT_WE_READ =
  "a collector export (export_json(): metrics and recent_drops), a Home Assistant diagnostics download (home_assistant and data holding such an export), a Linkscope agent export, or journalctl / syslog text";

/** The readers of device evidence: a whole file, and the records of one (collector entries, system log lines). */
export const EVIDENCE_READERS = {
  file: "evidence",
  collectorDrop: "collector-drop",
  collectorConnection: "collector-connection",
  systemLog: "system-log",
} as const;

/** What a file was read as: its records (each stored or refused alone) and its sample; an agent export is read as one. */
export type EvidenceReading =
  | { format: "agent" }
  | { format: "collector" | "home-assistant"; records: UploadRecord[]; sample: DeviceSample | null }
  | { format: "system-log"; records: UploadRecord[]; summary: SystemLogSummary };

/**
 * Device-side evidence for one device, whatever form it came in: the field guide's collector export, a Home Assistant
 * diagnostics download wrapping one, the Linkscope agent's export, or the device's journal / syslog. Idempotent
 * (deterministic keys) and bounded. A file that is none of these is kept as a dead letter and answered with a 4xx naming
 * what is missing; inside one, each drop, connection or log event stands alone: a bad one is a dead letter with its
 * reason, the others are stored.
 */
export async function importDeviceEvidence(db: Db, input: EvidenceImportInput): Promise<EvidenceImportResult> {
  const bytes = Buffer.byteLength(input.body, "utf8");
  if (bytes > MAX_EVIDENCE_BYTES)
    throw new TooLargeError("payload_too_large", `The file is ${bytes} bytes; the limit is ${MAX_EVIDENCE_BYTES}.`);
  let reading: EvidenceReading;
  try {
    reading = readDeviceEvidence(input);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await recordIngestBatch(db, {
      events: [],
      deadLetters: [
        {
          source: DEVICE_EVIDENCE_UPLOAD_SOURCE,
          topic: toDeviceUploadTopic(formatEvidenceFileReader(input), input.deviceId),
          error: `${error.message} (device ${input.deviceId})`,
          payload: input.body,
        },
      ],
    });
    throw error;
  }
  if (reading.format === "agent") {
    const result = await importAgentExport(db, { deviceId: input.deviceId, body: input.body });
    return { format: "agent", ...result, samples: 0 };
  }
  const written = await writeUploadRecords(db, {
    source: DEVICE_EVIDENCE_UPLOAD_SOURCE,
    deviceId: input.deviceId,
    records: reading.records,
  });
  if (reading.format === "system-log") {
    const { summary } = reading;
    return {
      format: "system-log",
      ...written,
      samples: 0,
      lines: summary.lines,
      unrecognized: summary.unrecognized,
      unreadable: summary.unreadable,
      skipped: summary.skipped,
    };
  }
  const sampled = reading.sample ? await recordUploadSample(db, reading.sample) : { stored: 0 };
  if ("stored" in sampled) return { format: reading.format, ...written, samples: sampled.stored };
  const counts = { ...written, rejected: written.rejected + 1, errors: [...written.errors, sampled.refused] };
  return { format: reading.format, ...counts, message: describeUpload(counts), samples: 0 };
}

/**
 * Stores an export's sample (0 when it was already stored), or keeps it as a dead letter with the reason (a time no
 * clock could have written, or the database refusing it) and says where in the file it came from; the export's drops
 * and connections are stored either way.
 */
async function recordUploadSample(
  db: Db,
  sample: DeviceSample,
): Promise<{ stored: number } | { refused: { where: string; error: string } }> {
  const refusedTime = refuseSampleTime(sample, Date.now());
  let reason = refusedTime;
  if (reason === null) {
    try {
      return { stored: await recordDeviceSamples(db, [sample]) };
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      reason = `the database refused this device sample: ${readDatabaseErrorLine(error)}`;
    }
  }
  await recordIngestBatch(db, { events: [], deadLetters: [toRefusedSampleDeadLetter(DEVICE_EVIDENCE_UPLOAD_SOURCE, sample, reason)] });
  return { refused: { where: refusedTime === null ? "metrics" : "timestamp", error: reason } };
}

/** The reader of the whole file, with what the uploader said of it (a dead letter of the file is read again with it). */
function formatEvidenceFileReader(input: Omit<EvidenceImportInput, "body">): string {
  return formatUploadReader(EVIDENCE_READERS.file, {
    format: input.format ?? "auto",
    year: input.year,
    utc: input.utcOffsetMinutes,
  });
}

/**
 * Reads a file of device evidence (at most MAX_EVIDENCE_BYTES) without writing anything; throws a DomainError for a
 * file that is none of the forms read.
 */
export function readDeviceEvidence(input: EvidenceImportInput): EvidenceReading {
  const bytes = Buffer.byteLength(input.body, "utf8");
  const format = input.format ?? "auto";
  if (format === "journal" || format === "syslog") return readSystemLogFile(input);
  const trimmed = input.body.trimStart();
  if (format === "auto" && !trimmed.startsWith("{") && !trimmed.startsWith("[")) return readSystemLogFile(input);

  const decoded = parseUntrustedJson(replaceNonFiniteNumbers(input.body), { maxBytes: MAX_EVIDENCE_BYTES });
  if (!decoded.ok) {
    // One JSON object per line is `journalctl -o json`.
    if (format === "auto" && trimmed.startsWith("{")) return readSystemLogFile(input);
    throw new InvalidInputError("invalid_evidence", `The file is not JSON: ${decoded.error}. Expected ${WHAT_WE_READ}.`);
  }
  const value = decoded.value;
  if (typeof value === "object" && value !== null && (value as { format?: unknown }).format === AGENT_EXPORT_FORMAT)
    return { format: "agent" };
  if (typeof value === "object" && value !== null && "__REALTIME_TIMESTAMP" in value) return readSystemLogFile(input);
  if (bytes > MAX_EXPORT_BYTES)
    throw new TooLargeError("payload_too_large", `The export is ${bytes} bytes; the limit for JSON exports is ${MAX_EXPORT_BYTES}.`);

  const located = locateCollectorExport(value);
  if (!located) {
    const message = isHomeAssistantDiagnostics(value)
      ? "This Home Assistant diagnostics download holds no collector export: expected an object with metrics and recent_drops under data (the integration's async_get_config_entry_diagnostics returning export_json())."
      : `Not device evidence Linkscope reads: expected ${WHAT_WE_READ}.`;
    throw new InvalidInputError("invalid_evidence", message);
  }
  const parsed = CollectorExportEnvelopeSchema.safeParse(located.value);
  if (!parsed.success) {
    const where = located.path === "(root)" ? "" : ` (at ${located.path})`;
    throw new InvalidInputError(
      "invalid_evidence",
      `Not a collector export${where}: ${describeZodError(parsed.error)}`,
      listZodIssues(parsed.error),
    );
  }
  const records = readCollectorEntries(input.deviceId, parsed.data, located.path === "(root)" ? "" : `${located.path}.`);
  return { format: located.kind, records, sample: toCollectorSample(input.deviceId, parsed.data) };
}

function readCollectorEntries(deviceId: string, data: CollectorExportEnvelope, path: string): UploadRecord[] {
  return [
    ...data.recent_drops.map((entry, index) => readCollectorEntry(deviceId, "recent_drops", entry, `${path}recent_drops[${index}]`)),
    ...(data.recent_connections ?? []).map((entry, index) =>
      readCollectorEntry(deviceId, "recent_connections", entry, `${path}recent_connections[${index}]`),
    ),
  ];
}

/** One drop or connection of a collector export, read alone (its dead letter is read again the same way). */
export function readCollectorEntry(
  deviceId: string,
  list: "recent_drops" | "recent_connections",
  entry: unknown,
  where: string,
): UploadRecord {
  const payload = JSON.stringify(entry) ?? String(entry);
  const read = <T>(
    schema: z.ZodType<T>,
    reader: string,
    what: string,
    toEvent: (deviceId: string, value: T) => ConnectionEvent,
  ): UploadRecord => {
    const parsed = schema.safeParse(entry);
    return {
      where,
      payload,
      reader,
      result: parsed.success
        ? { ok: true, events: [toEvent(deviceId, parsed.data)] }
        : { ok: false, error: `not a collector ${what}: ${describeZodError(parsed.error)}` },
    };
  };
  return list === "recent_drops"
    ? read(CollectorDropSchema, EVIDENCE_READERS.collectorDrop, "drop", toCollectorDropEvent)
    : read(CollectorConnectionSchema, EVIDENCE_READERS.collectorConnection, "connection", toCollectorConnectionEvent);
}

function readSystemLogFile(input: EvidenceImportInput): EvidenceReading {
  const summary = readSystemLog(input.body, {
    reference: input.reference ?? new Date(),
    year: input.year ?? null,
    utcOffsetMinutes: input.utcOffsetMinutes ?? 0,
  });
  if (summary.lines === 0 || summary.unreadable === summary.lines) {
    throw new InvalidInputError(
      "invalid_evidence",
      `No line is in a journal or syslog form (journalctl -o short-iso, -o json, or "Mon DD HH:MM:SS host program[pid]: message"). Expected ${WHAT_WE_READ}.`,
    );
  }
  return { format: "system-log", records: toSystemLogRecords(input, summary), summary };
}

/**
 * One record per system event, each its line. A line's year-less time is placed with the file's clock; read again
 * alone, it is placed with the same year and offset but without the lines before it (a log that crossed New Year).
 */
export function toSystemLogRecords(input: Omit<EvidenceImportInput, "body">, summary: SystemLogSummary): UploadRecord[] {
  const reader = formatUploadReader(EVIDENCE_READERS.systemLog, { year: input.year, utc: input.utcOffsetMinutes });
  return summary.systemEvents.map((event): UploadRecord => ({
    where: `line ${event.lineNumber}`,
    payload: event.line,
    reader,
    result: { ok: true, events: toSystemLogEvents(input.deviceId, [event]) },
  }));
}
