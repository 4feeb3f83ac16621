import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { DomainError } from "@/lib/errors/domain-errors.ts";
import { parseUploadReader } from "@/lib/ingest/dead-letter-topics.ts";
import { AGENT_EXPORT_READER, readAgentExport } from "@/lib/ingest/import-agent-export.ts";
import type { UploadRecord } from "@/lib/ingest/write-upload-records.ts";
import { parseUntrustedJson } from "@/lib/sources/adapter-kit.ts";
import {
  EVIDENCE_FORMATS,
  EVIDENCE_READERS,
  readCollectorEntry,
  readDeviceEvidence,
  toSystemLogRecords,
  type EvidenceFormat,
} from "./import-device-evidence.ts";
import { readSystemLog } from "./system-log.ts";

export type RereadUpload = { ok: true; records: UploadRecord[]; samples: DeviceSample[] } | { ok: false; error: string };

/**
 * Reads a device upload's dead letter again with the reader its topic names (`device-upload:<reader>:<device>`), the
 * way the upload read it: a whole file, one entry of an export, or one system log line. Nothing is written here.
 */
export function rereadDeviceUpload(reader: string, deviceId: string, payload: string, receivedAt: Date): RereadUpload {
  const { name, options } = parseUploadReader(reader);
  const year = readInteger(options.get("year"));
  const utcOffsetMinutes = readInteger(options.get("utc")) ?? 0;
  try {
    switch (name) {
      case AGENT_EXPORT_READER:
        return { ok: true, records: readAgentExport(deviceId, payload), samples: [] };
      case EVIDENCE_READERS.file: {
        const format = readEvidenceFormat(options.get("format"));
        const reading = readDeviceEvidence({ deviceId, body: payload, format, year, utcOffsetMinutes, reference: receivedAt });
        if (reading.format === "agent") return { ok: true, records: readAgentExport(deviceId, payload), samples: [] };
        const samples = reading.format !== "system-log" && reading.sample ? [reading.sample] : [];
        return { ok: true, records: reading.records, samples };
      }
      case EVIDENCE_READERS.collectorDrop:
      case EVIDENCE_READERS.collectorConnection: {
        const entry = parseUntrustedJson(payload);
        if (!entry.ok) return entry;
        const list = name === EVIDENCE_READERS.collectorDrop ? "recent_drops" : "recent_connections";
        return { ok: true, records: [readCollectorEntry(deviceId, list, entry.value, list)], samples: [] };
      }
      case EVIDENCE_READERS.systemLog: {
        const summary = readSystemLog(payload, { reference: receivedAt, year, utcOffsetMinutes });
        if (summary.systemEvents.length === 0)
          return { ok: false, error: "the line is not read as a system event (a journal or syslog line of a known program) today" };
        return { ok: true, records: toSystemLogRecords({ deviceId, year, utcOffsetMinutes }, summary), samples: [] };
      }
      default:
        return { ok: false, error: `no upload reader named ${name}` };
    }
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error: error.message };
    throw error;
  }
}

function readInteger(value: string | null): number | null {
  return value !== null && /^-?\d+$/.test(value) ? Number(value) : null;
}

function readEvidenceFormat(value: string | null): EvidenceFormat {
  return EVIDENCE_FORMATS.find((format) => format === value) ?? "auto";
}
