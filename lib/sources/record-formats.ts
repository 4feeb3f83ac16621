import type { AdapterResult } from "@/lib/events/connection-event.ts";
import { parseAwsRecord } from "./aws-iot.ts";
import { parseAzureRecord } from "./azure.ts";
import { parseDeviceReport } from "./device-report.ts";
import { parseEmqxMessage } from "./emqx.ts";
import { parseHivemqEventLine } from "./hivemq-event-log.ts";
import { createMosquittoLogParser } from "./mosquitto-log.ts";
import type { SyslogYearOptions } from "@/lib/time/syslog-year.ts";

/**
 * One input record: a JSON value (with its text) from a body or file. `receivedAt` is when a webhook delivered it, the
 * time of a record that carries none (absent for files).
 */
export type JsonRecord = { value: unknown; text: string; receivedAt?: Date };

export type RecordFormat =
  | {
      name: string;
      title: string;
      source: string;
      input: "json";
      description: string;
      createParser(): (record: JsonRecord) => AdapterResult;
    }
  | {
      name: string;
      title: string;
      source: string;
      input: "lines";
      description: string;
      createParser(options?: LineParserOptions): (line: string, receivedAt?: Date) => AdapterResult;
    };

/** For a file or body of log lines: how year-less syslog prefixes get their year (default: inferred from receipt). */
export type LineParserOptions = { syslogYear?: SyslogYearOptions };

const json = (
  name: string,
  title: string,
  source: string,
  description: string,
  parse: (record: JsonRecord) => AdapterResult,
): RecordFormat => ({
  name,
  title,
  source,
  input: "json",
  description,
  createParser: () => parse,
});

/**
 * Formats accepted by webhooks (`POST /api/v1/ingest/{format}`) and imports (`--format`). JSON formats take a
 * value, an array, a `{ "records": [...] }` or `{ "events": [...] }` wrapper, NDJSON, concatenated objects or CSV
 * with a header row (lib/ingest/record-reader.ts); line formats one log line at a time.
 */
export const RECORD_FORMATS: Readonly<Record<string, RecordFormat>> = {
  "aws-iot": json(
    "aws-iot",
    "AWS IoT Core",
    "aws-iot",
    "AWS IoT presence events (IoT rule HTTP action) and CloudWatch AWSIotLogsV2 entries",
    (r) => parseAwsRecord(r.value),
  ),
  cloudwatch: json(
    "cloudwatch",
    "AWS CloudWatch Logs export",
    "aws-iot",
    "CloudWatch Logs export of AWSIotLogsV2 (JSON per line, optional timestamp prefix; filter-log-events output; Logs Insights CSV or JSON)",
    (r) => parseAwsRecord(r.value),
  ),
  "azure-event-grid": json(
    "azure-event-grid",
    "Azure Event Grid",
    "azure-iot-hub",
    "Event Grid / CloudEvents: IoT Hub DeviceConnected/Disconnected, Event Grid MQTT sessions",
    (r) => parseAzureRecord(r.value),
  ),
  "azure-iot-hub": json(
    "azure-iot-hub",
    "Azure IoT Hub",
    "azure-iot-hub",
    "IoT Hub: Event Grid events, routed deviceConnectionStateEvents, Connections resource logs",
    (r) => parseAzureRecord(r.value),
  ),
  "log-analytics-json": json(
    "log-analytics-json",
    "Azure Log Analytics (JSON)",
    "azure-iot-hub",
    "Log Analytics / Azure Monitor export (AzureDiagnostics rows or resource-log records)",
    (r) => parseAzureRecord(r.value),
  ),
  "log-analytics-csv": json(
    "log-analytics-csv",
    "Azure Log Analytics (CSV)",
    "azure-iot-hub",
    "Log Analytics CSV export (header row; properties_s column)",
    (r) => parseAzureRecord(r.value),
  ),
  emqx: json(
    "emqx",
    "EMQX",
    "emqx",
    "EMQX rule-engine webhook (client_connected / client_disconnected / client_connack) and the 4.x web_hook plugin's bodies",
    (r) => parseEmqxMessage("", r.text, { receivedAt: r.receivedAt }),
  ),
  "device-report": json(
    "device-report",
    "Device-reported errors",
    "device-report",
    "Device-reported errors: AWS CRT, CONNACK, MQTT 5, libmosquitto, ClearBlade / Google IoT strings",
    (r) => parseDeviceReport(r.value),
  ),
  mosquitto: {
    name: "mosquitto",
    title: "Mosquitto log",
    source: "mosquitto",
    input: "lines",
    description: "Mosquitto log file (1.x, 2.0.x, 2.1.x)",
    createParser: (options) => {
      const parser = createMosquittoLogParser({ syslogYear: options?.syslogYear });
      return (line, receivedAt) => parser.parseLine(line, receivedAt);
    },
  },
  hivemq: {
    name: "hivemq",
    title: "HiveMQ event.log",
    source: "hivemq",
    input: "lines",
    description: "HiveMQ event.log",
    createParser: () => parseHivemqEventLine,
  },
};

export function getRecordFormat(name: string): RecordFormat | null {
  return Object.hasOwn(RECORD_FORMATS, name) ? (RECORD_FORMATS[name] ?? null) : null;
}
