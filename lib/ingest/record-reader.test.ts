import { describe, expect, it } from "vitest";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { createRecordProcessor } from "./record-processor.ts";
import { readRecords, readsRecords } from "./record-reader.ts";

const format = (name: string) => getRecordFormat(name) as RecordFormat;

const entry = (clientId: string, extra: object = {}) => ({
  timestamp: "2023-11-14 22:13:20.123",
  logLevel: "INFO",
  traceId: "20b23f3f-d7f1-feae-169f-82263394fbdb",
  accountId: "123456789012",
  status: "Success",
  eventType: "Disconnect",
  protocol: "MQTT",
  clientId,
  principalId: "145179c40e22",
  sourceIp: "205.251.233.181",
  sourcePort: 13490,
  disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT",
  ...extra,
});

function ingest(name: string, text: string) {
  const processor = createRecordProcessor(format(name), "test");
  for (const record of readRecords(format(name), text)) processor.pushJson(record);
  const { events, deadLetters } = processor.drain();
  return {
    events: events.map((e) => [e.deviceId, e.kind, e.code, e.occurredAt.toISOString(), e.clientIp, e.clientPort]),
    deadLetters: deadLetters.map((d) => d.error),
  };
}

const expected = (clientId: string) => [
  clientId,
  "disconnected",
  "aws:MQTT_KEEP_ALIVE_TIMEOUT",
  "2023-11-14T22:13:20.123Z",
  "205.251.233.181",
  13490,
];

describe("CloudWatch Logs export shapes", () => {
  it("reads `aws logs filter-log-events` output: the entries are the events' `message` texts", () => {
    const output = {
      events: [
        {
          logStreamName: "123456789012",
          timestamp: 1700000000123,
          message: JSON.stringify(entry("a")),
          ingestionTime: 1700000000500,
          eventId: "1",
        },
        { logStreamName: "123456789012", timestamp: 1700000000124, message: "not json", ingestionTime: 1700000000500, eventId: "2" },
      ],
      searchedLogStreams: [],
      nextToken: "Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI",
    };
    expect(ingest("cloudwatch", JSON.stringify(output, null, 4))).toEqual({
      events: [expected("a")],
      deadLetters: [expect.stringContaining("CloudWatch log event's message is not a JSON entry")],
    });
  });

  it("reads a Logs Insights download as CSV (`@timestamp,@message`) and as JSON", () => {
    const csvCell = (value: object) => `"${JSON.stringify(value).replaceAll('"', '""')}"`;
    const csv = `\uFEFF@timestamp,@message\r\n2023-11-14 22:13:20.123,${csvCell(entry("b"))}\r\n`;
    expect(ingest("cloudwatch", csv)).toEqual({ events: [expected("b")], deadLetters: [] });
    const json = [
      { "@timestamp": "2023-11-14 22:13:20.123", "@message": JSON.stringify(entry("c")), "@logStream": "1", "@log": "1:AWSIotLogsV2" },
    ];
    expect(ingest("aws-iot", JSON.stringify(json))).toEqual({ events: [expected("c")], deadLetters: [] });
  });

  it("reads a Log Analytics CSV export sent as log-analytics-json, and never mistakes JSON lines for CSV", () => {
    const csv =
      'TimeGenerated [UTC],OperationName,Level,ResultType,properties_s\n2018-12-17T18:19:25Z,deviceDisconnect,Error,404104,"{""deviceId"":""d,1""}"\n';
    expect(ingest("log-analytics-json", csv).events).toEqual([
      ["d,1", "disconnected", "azure:404104", "2018-12-17T18:19:25.000Z", null, null],
    ]);
    const lines = `${JSON.stringify(entry("d"))}\n2023-11-14T22:13:20.123Z ${JSON.stringify(entry("e"))}\n`;
    expect(ingest("cloudwatch", lines).events).toEqual([expected("d"), expected("e")]);
  });
});

describe("Log Analytics CSV that is not CSV", () => {
  const record = {
    time: "2018-12-17T18:19:25Z",
    operationName: "deviceDisconnect",
    category: "Connections",
    level: "Error",
    resultType: "404104",
    properties: JSON.stringify({ deviceId: "d1" }),
  };

  it("reads JSON sent as log-analytics-csv (its adapter reads both): one line of JSON was a header row and no records", () => {
    expect(ingest("log-analytics-csv", JSON.stringify(record)).events).toEqual([
      ["d1", "disconnected", "azure:404104", "2018-12-17T18:19:25.000Z", null, null],
    ]);
    expect(ingest("log-analytics-csv", `[${JSON.stringify(record)}]`).events).toHaveLength(1);
  });

  it("says when the first line names no columns, instead of reading it as a header and finding nothing", () => {
    for (const text of ["null", "42", "hello world", "1700000000: Client d1 disconnected.\n"])
      expect(ingest("log-analytics-csv", text)).toEqual({
        events: [],
        deadLetters: ["the first line is not a CSV header row (column names separated by commas)"],
      });
    expect(ingest("log-analytics-csv", "TimeGenerated [UTC],properties_s\n")).toEqual({ events: [], deadLetters: [] });
  });
});

describe("CloudWatch Logs exports of a broker's log (the CloudWatch agent ships Mosquitto's log)", () => {
  const lines = [
    "1714557600: New client connected from 10.0.0.2:5000 as m1 (p2, c1, k60).",
    "1714557605: Client m1 has exceeded timeout, disconnecting.",
  ];

  function ingestLog(text: string) {
    const mosquitto = format("mosquitto");
    expect(readsRecords(mosquitto, text)).toBe(true);
    const processor = createRecordProcessor(mosquitto, "test");
    for (const record of readRecords(mosquitto, text)) processor.pushJson(record);
    const { events, deadLetters } = processor.drain();
    return {
      events: events.map((e) => [e.deviceId, e.kind, e.code, e.occurredAt.toISOString()]),
      deadLetters: deadLetters.map((d) => d.error),
    };
  }

  const expectedEvents = [
    ["m1", "connected", null, "2024-05-01T10:00:00.000Z"],
    ["m1", "disconnected", "mosquitto:exceeded-timeout", "2024-05-01T10:00:05.000Z"],
  ];

  it("reads the lines inside `aws logs filter-log-events` output and a Logs Insights CSV", () => {
    const output = {
      events: lines.map((message, i) => ({
        logStreamName: "i-0abc",
        timestamp: 1714557600000 + i,
        message,
        ingestionTime: 1,
        eventId: `${i}`,
      })),
    };
    expect(ingestLog(JSON.stringify(output))).toEqual({ events: expectedEvents, deadLetters: [] });
    const csv = `@timestamp,@message\n${lines.map((line) => `2024-05-01 10:00:00.000,"${line}"`).join("\n")}\n`;
    expect(ingestLog(csv)).toEqual({ events: expectedEvents, deadLetters: [] });
  });

  it("rejects JSON that is not a log export, saying what the format takes; reads plain lines as lines", () => {
    expect(ingestLog('{"clientid":"c"}').deadLetters).toEqual([
      "format mosquitto takes log lines (or a CloudWatch Logs export of them), not JSON",
    ]);
    expect(readsRecords(format("mosquitto"), `${lines.join("\n")}\n`)).toBe(false);
    expect(readsRecords(format("hivemq"), "2024-05-01 10:00:00,000 - Client ID: a, b, IP: 10.0.0.1 disconnected gracefully.\n")).toBe(
      false,
    );
  });
});
