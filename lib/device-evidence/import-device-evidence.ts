import { AGENT_EXPORT_FORMAT, MAX_EXPORT_BYTES } from "@/lib/agent/export-format.ts";
import type { Db } from "@/lib/db/client.ts";
import { DomainError, InvalidInputError, TooLargeError } from "@/lib/errors/domain-errors.ts";
import { describeZodError, listZodIssues } from "@/lib/validation/zod-issues.ts";
import { importAgentExport } from "@/lib/ingest/import-agent-export.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import type { ZodType } from "zod";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
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
import { readSystemLog, toSystemLogEvents } from "./system-log.ts";

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
  const format = input.format ?? "auto";
  const reject = async (error: DomainError): Promise<never> => {
    await recordIngestBatch(db, {
      events: [],
      deadLetters: [
        { source: DEVICE_EVIDENCE_UPLOAD_SOURCE, topic: null, error: `${error.message} (device ${input.deviceId})`, payload: input.body },
      ],
    });
    throw error;
  };

  if (format === "journal" || format === "syslog") return importSystemLog(db, input, reject);
  const trimmed = input.body.trimStart();
  if (format === "auto" && !trimmed.startsWith("{") && !trimmed.startsWith("[")) return importSystemLog(db, input, reject);

  const decoded = parseUntrustedJson(replaceNonFiniteNumbers(input.body), { maxBytes: MAX_EVIDENCE_BYTES });
  if (!decoded.ok) {
    // One JSON object per line is `journalctl -o json`.
    if (format === "auto" && trimmed.startsWith("{")) return importSystemLog(db, input, reject);
    return reject(new InvalidInputError("invalid_evidence", `The file is not JSON: ${decoded.error}. Expected ${WHAT_WE_READ}.`));
  }
  const value = decoded.value;
  if (typeof value === "object" && value !== null && (value as { format?: unknown }).format === AGENT_EXPORT_FORMAT) {
    const result = await importAgentExport(db, { deviceId: input.deviceId, body: input.body });
    return { format: "agent", ...result, samples: 0 };
  }
  if (typeof value === "object" && value !== null && "__REALTIME_TIMESTAMP" in value) return importSystemLog(db, input, reject);
  if (bytes > MAX_EXPORT_BYTES)
    return reject(
      new TooLargeError("payload_too_large", `The export is ${bytes} bytes; the limit for JSON exports is ${MAX_EXPORT_BYTES}.`),
    );

  const located = locateCollectorExport(value);
  if (!located) {
    const message = isHomeAssistantDiagnostics(value)
      ? "This Home Assistant diagnostics download holds no collector export: expected an object with metrics and recent_drops under data (the integration's async_get_config_entry_diagnostics returning export_json())."
      : `Not device evidence Linkscope reads: expected ${WHAT_WE_READ}.`;
    return reject(new InvalidInputError("invalid_evidence", message));
  }
  const parsed = CollectorExportEnvelopeSchema.safeParse(located.value);
  if (!parsed.success) {
    const where = located.path === "(root)" ? "" : ` (at ${located.path})`;
    return reject(
      new InvalidInputError(
        "invalid_evidence",
        `Not a collector export${where}: ${describeZodError(parsed.error)}`,
        listZodIssues(parsed.error),
      ),
    );
  }
  const records = readCollectorEntries(input.deviceId, parsed.data, located.path === "(root)" ? "" : `${located.path}.`);
  const sample = toCollectorSample(input.deviceId, parsed.data);
  const written = await writeUploadRecords(db, { source: DEVICE_EVIDENCE_UPLOAD_SOURCE, deviceId: input.deviceId, records });
  const samples = await recordDeviceSamples(db, sample ? [sample] : []);
  return { format: located.kind, ...written, samples };
}

function readCollectorEntries(deviceId: string, data: CollectorExportEnvelope, path: string): UploadRecord[] {
  const read = <T>(list: string, entries: readonly unknown[], schema: ZodType<T>, toEvent: (entry: T) => ConnectionEvent) =>
    entries.map((entry, index): UploadRecord => {
      const parsed = schema.safeParse(entry);
      return {
        where: `${path}${list}[${index}]`,
        payload: JSON.stringify(entry) ?? String(entry),
        result: parsed.success
          ? { ok: true, events: [toEvent(parsed.data)] }
          : { ok: false, error: `not a collector ${list === "recent_drops" ? "drop" : "connection"}: ${describeZodError(parsed.error)}` },
      };
    });
  return [
    ...read("recent_drops", data.recent_drops, CollectorDropSchema, (drop) => toCollectorDropEvent(deviceId, drop)),
    ...read("recent_connections", data.recent_connections ?? [], CollectorConnectionSchema, (connection) =>
      toCollectorConnectionEvent(deviceId, connection),
    ),
  ];
}

async function importSystemLog(
  db: Db,
  input: EvidenceImportInput,
  reject: (error: DomainError) => Promise<never>,
): Promise<EvidenceImportResult> {
  const summary = readSystemLog(input.body, {
    reference: input.reference ?? new Date(),
    year: input.year ?? null,
    utcOffsetMinutes: input.utcOffsetMinutes ?? 0,
  });
  if (summary.lines === 0 || summary.unreadable === summary.lines) {
    return reject(
      new InvalidInputError(
        "invalid_evidence",
        `No line is in a journal or syslog form (journalctl -o short-iso, -o json, or "Mon DD HH:MM:SS host program[pid]: message"). Expected ${WHAT_WE_READ}.`,
      ),
    );
  }
  const records = summary.systemEvents.map((event): UploadRecord => ({
    where: `line ${event.lineNumber}`,
    payload: event.line,
    result: { ok: true, events: toSystemLogEvents(input.deviceId, [event]) },
  }));
  const written = await writeUploadRecords(db, { source: DEVICE_EVIDENCE_UPLOAD_SOURCE, deviceId: input.deviceId, records });
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
