import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "@/lib/log/logger.ts";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { importFile, type ImportProgress } from "./import-file.ts";

const testDb = useTestDatabase();
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "linkscope-import-"));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function format(name: string): RecordFormat {
  const found = getRecordFormat(name);
  if (!found) throw new Error(`no format ${name}`);
  return found;
}

function writeTemp(name: string, content: string | Buffer): string {
  const file = path.join(dir, `${randomUUID()}-${name}`);
  writeFileSync(file, content);
  return file;
}

describe("importFile", () => {
  it("imports a Mosquitto log file with progress, and re-importing it adds nothing", async () => {
    // Unique client IDs per run so this test owns its rows.
    const tag = randomUUID().slice(0, 6);
    const text = readFileSync(new URL("../sources/fixtures/mosquitto/capture-2.0.11.log", import.meta.url), "utf8").replaceAll(
      " dev-",
      ` ${tag}-`,
    );
    const file = writeTemp("mosquitto.log", text);
    const progress: ImportProgress[] = [];
    const first = await importFile(testDb.db, {
      filePath: file,
      format: format("mosquitto"),
      batchSize: 10,
      onProgress: (p) => progress.push(p),
    });
    expect(first).toMatchObject({ alreadyImported: false, records: 90, deadLetters: 0 });
    expect(first.inserted).toBe(28);
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.at(-1)?.bytesRead).toBe(Buffer.byteLength(text));
    const count = await testDb.db.connectionEvent.count({ where: { deviceId: { startsWith: `${tag}-` } } });
    expect(count).toBe(24);

    const again = await importFile(testDb.db, { filePath: file, format: format("mosquitto") });
    expect(again).toMatchObject({ alreadyImported: true, inserted: 0 });
    // A copy under another name is the same content: still nothing new.
    const copy = writeTemp("copy.log", text);
    expect((await importFile(testDb.db, { filePath: copy, format: format("mosquitto") })).alreadyImported).toBe(true);
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: { startsWith: `${tag}-` } } })).toBe(count);
  });

  it("leaves the run's heartbeat to its timer: batches write progress only", async () => {
    const tag = randomUUID().slice(0, 6);
    const lines: string[] = [];
    for (let i = 0; i < 30; i++)
      lines.push(
        `2024-05-01 10:00:${String(i).padStart(2, "0")},000 - Client ID: ${tag}-${i}, IP: 10.0.0.1, Clean Start: true, Session Expiry: 0 connected.`,
      );
    const file = writeTemp("heartbeat.log", `${lines.join("\n")}\n`);
    const update = vi.spyOn(testDb.db.importRun, "update");
    try {
      const summary = await importFile(testDb.db, { filePath: file, format: format("hivemq"), batchSize: 5 });
      expect(summary.inserted).toBe(30);
      const heartbeatWrites = update.mock.calls.map(([args]) => args.data.heartbeatAt).filter((value) => value !== undefined);
      // Six batches, and the only heartbeat write after the claim is the one that ends the run.
      expect(update.mock.calls.length).toBeGreaterThanOrEqual(7);
      expect(heartbeatWrites).toEqual([null]);
    } finally {
      update.mockRestore();
    }
  });

  it("logs and counts a failure to mark the run failed, and still throws the import's own error", async () => {
    const tag = randomUUID().slice(0, 6);
    const lines = Array.from(
      { length: 12 },
      (_, i) =>
        `2024-05-01 10:00:${String(i).padStart(2, "0")},000 - Client ID: ${tag}-${i}, IP: 10.0.0.1, Clean Start: true, Session Expiry: 0 connected.`,
    );
    const file = writeTemp("mark-failed.log", `${lines.join("\n")}\n`);
    const logLines: string[] = [];
    const log = createLogger("test", { write: (line: string) => logLines.push(line) });
    const progress: ImportProgress[] = [];
    // The batch's progress write fails (the import's error), then so does marking the run failed (the database is gone).
    const update = vi.spyOn(testDb.db.importRun, "update").mockRejectedValue(new Error("connection terminated"));
    try {
      await expect(
        importFile(testDb.db, { filePath: file, format: format("hivemq"), batchSize: 5, log, onProgress: (p) => progress.push(p) }),
      ).rejects.toThrow("connection terminated");
    } finally {
      update.mockRestore();
    }
    const logged = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: "import run could not be marked failed", err: "connection terminated", failures: 1 }),
    );
    expect(progress.at(-1)?.progressWriteFailures).toBe(1);
  });

  it("resumes an interrupted import after its last committed batch without repeating dead letters", async () => {
    const tag = randomUUID().slice(0, 6);
    const lines = [`garbage line without a timestamp \u0007 ${tag}`];
    for (let i = 0; i < 50; i++)
      lines.push(
        `2024-05-01 10:00:${String(i).padStart(2, "0")},000 - Client ID: ${tag}-${i}, IP: 10.0.0.1, Clean Start: true, Session Expiry: 0 connected.`,
      );
    const file = writeTemp("event.log", `${lines.join("\n")}\n`);
    const first = await importFile(testDb.db, { filePath: file, format: format("hivemq"), batchSize: 10 });
    expect(first).toMatchObject({ inserted: 50, deadLetters: 1 });
    // Pretend it died after 21 records.
    await testDb.db.importRun.update({ where: { id: first.runId }, data: { status: "failed", recordsDone: 21n } });
    const resumed = await importFile(testDb.db, { filePath: file, format: format("hivemq"), batchSize: 10 });
    expect(resumed).toMatchObject({ alreadyImported: false, resumedFrom: 21, inserted: 0, duplicates: 30, deadLetters: 0 });
    expect(await testDb.db.deadLetter.count({ where: { payload: { contains: tag } } })).toBe(1);
  });

  it("imports Log Analytics CSV (quoted JSON in properties_s) and CloudWatch lines with timestamp prefixes; bad rows become dead letters", async () => {
    const device = `csv-${randomUUID().slice(0, 8)}`;
    const props = JSON.stringify({
      deviceId: device,
      protocol: "Mqtt",
      authType: null,
      maskedIpAddress: "73.162.215.XXX",
      statusCode: "404",
    }).replaceAll('"', '""');
    const csv = [
      "TimeGenerated [UTC],OperationName,Category,Level,ResultType,ResultDescription,properties_s,Resource",
      `"12/17/2018, 6:11:25.000 PM",deviceConnect,Connections,Information,,,"${props}",CONTOSOTESTHUB`,
      `"12/17/2018, 6:19:25.000 PM",deviceDisconnect,Connections,Error,404104,DeviceConnectionClosedRemotely,"${props}",CONTOSOTESTHUB`,
      `"12/17/2018, 6:20:25.000 PM",deviceConnect,Connections,Information`,
    ].join("\r\n");
    const result = await importFile(testDb.db, { filePath: writeTemp("export.csv", csv), format: format("log-analytics-csv") });
    expect(result).toMatchObject({ records: 3, inserted: 2, deadLetters: 1 });
    const events = await testDb.db.connectionEvent.findMany({ where: { deviceId: device }, orderBy: { occurredAt: "asc" } });
    expect(events.map((e) => [e.kind, e.code, e.occurredAt.toISOString()])).toEqual([
      ["connected", null, "2018-12-17T18:11:25.000Z"],
      ["disconnected", "azure:404104", "2018-12-17T18:19:25.000Z"],
    ]);

    const client = `cw-${randomUUID().slice(0, 8)}`;
    const entry = (eventType: string, extra: object) =>
      JSON.stringify({
        timestamp: "2017-08-10 15:37:23.476",
        logLevel: "INFO",
        traceId: randomUUID(),
        accountId: "1",
        status: "Success",
        eventType,
        protocol: "MQTT",
        clientId: client,
        principalId: "p",
        sourceIp: "205.251.233.181",
        sourcePort: 13490,
        ...extra,
      });
    const cloudwatch = `2017-08-10T15:37:23.476Z ${entry("Connect", {})}\n2017-08-10T15:38:23.476Z ${entry("Disconnect", { disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT" })}\n2017-08-10T15:39:00.000Z not json\n`;
    const cw = await importFile(testDb.db, { filePath: writeTemp("cw.log", cloudwatch), format: format("cloudwatch") });
    expect(cw).toMatchObject({ inserted: 2, deadLetters: 1 });
  });

  it("imports `aws logs filter-log-events` output and a Logs Insights CSV download as cloudwatch", async () => {
    const client = `cwx-${randomUUID().slice(0, 8)}`;
    const entry = (traceId: string, disconnectReason: string) =>
      JSON.stringify({
        timestamp: "2017-08-10 15:37:23.476",
        logLevel: "INFO",
        traceId,
        accountId: "1",
        status: "Success",
        eventType: "Disconnect",
        protocol: "MQTT",
        clientId: client,
        principalId: "p",
        sourceIp: "205.251.233.181",
        sourcePort: 13490,
        disconnectReason,
      });
    const output = {
      events: [
        {
          logStreamName: "1",
          timestamp: 1502379443476,
          message: entry("t1", "CONNECTION_LOST"),
          ingestionTime: 1502379444000,
          eventId: "1",
        },
      ],
      searchedLogStreams: [],
    };
    const fromCli = await importFile(testDb.db, {
      filePath: writeTemp("events.json", JSON.stringify(output, null, 4)),
      format: format("cloudwatch"),
    });
    expect(fromCli).toMatchObject({ records: 1, inserted: 1, deadLetters: 0 });
    const csv = `@timestamp,@message\n2017-08-10 15:37:23.476,"${entry("t2", "THROTTLED").replaceAll('"', '""')}"\n`;
    const fromInsights = await importFile(testDb.db, { filePath: writeTemp("insights.csv", csv), format: format("cloudwatch") });
    expect(fromInsights).toMatchObject({ records: 1, inserted: 1, deadLetters: 0 });
    const codes = await testDb.db.connectionEvent.findMany({
      where: { deviceId: client },
      select: { code: true },
      orderBy: { code: "asc" },
    });
    expect(codes.map((e) => e.code)).toEqual(["aws:CONNECTION_LOST", "aws:THROTTLED"]);
  });

  it("reads log files saved on Windows (BOM, CRLF) and Mosquitto lines behind journald and docker prefixes", async () => {
    const tag = randomUUID().slice(0, 6);
    const hivemq = [
      `\uFEFF2024-05-01 10:00:00,000 - Client ID: ${tag}-h, IP: 10.0.0.1, Clean Start: true, Session Expiry: 0 connected.`,
      `2024-05-01 10:00:05,000 - Client ID: ${tag}-h, IP: 10.0.0.1 disconnected ungracefully.`,
      "",
    ].join("\r\n");
    const fromHivemq = await importFile(testDb.db, { filePath: writeTemp("event.log", hivemq), format: format("hivemq") });
    expect(fromHivemq).toMatchObject({ inserted: 2, deadLetters: 0 });
    const mosquitto = [
      `\uFEFF1714557600: New client connected from 10.0.0.2:5000 as ${tag}-m (p2, c1, k60).`,
      `2024-05-01T10:00:05+0000 broker mosquitto[812]: Client ${tag}-m closed its connection.`,
      `2024-05-01T10:00:06.123456789Z 1714557606: New client connected from 10.0.0.2:5001 as ${tag}-m (p2, c1, k60).`,
      `2024-05-01T10:00:07.5Z Client ${tag}-m has exceeded timeout, disconnecting.`,
      "",
    ].join("\r\n");
    const fromMosquitto = await importFile(testDb.db, { filePath: writeTemp("mosquitto.log", mosquitto), format: format("mosquitto") });
    expect(fromMosquitto).toMatchObject({ inserted: 4, deadLetters: 0 });
    const events = await testDb.db.connectionEvent.findMany({
      where: { deviceId: `${tag}-m` },
      orderBy: { occurredAt: "asc" },
      select: { kind: true, code: true, occurredAt: true, sessionKey: true },
    });
    expect(events.map((e) => [e.kind, e.code, e.occurredAt.toISOString()])).toEqual([
      ["connected", null, "2024-05-01T10:00:00.000Z"],
      ["disconnected", "mosquitto:closed-connection", "2024-05-01T10:00:05.000Z"],
      ["connected", null, "2024-05-01T10:00:06.000Z"],
      ["disconnected", "mosquitto:exceeded-timeout", "2024-05-01T10:00:07.000Z"],
    ]);
    expect(events[1]?.sessionKey).toBe(events[0]?.sessionKey);
    expect(events[3]?.sessionKey).toBe(events[2]?.sessionKey);
  });

  it("imports a gzip file (CloudWatch export to S3); a gzip cut short keeps what came before and says where it broke", async () => {
    const tag = randomUUID().slice(0, 6);
    const lines = Array.from(
      { length: 2000 },
      (_, i) =>
        `2024-05-01 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")},000 - Client ID: ${tag}-${i}, IP: 10.0.0.1 disconnected gracefully.`,
    ).join("\n");
    const gz = gzipSync(Buffer.from(`${lines}\n`));
    const whole = await importFile(testDb.db, { filePath: writeTemp("event.log.gz", gz), format: format("hivemq") });
    expect(whole).toMatchObject({ records: 2000, inserted: 2000, deadLetters: 0, bytesRead: gz.byteLength });

    const other = randomUUID().slice(0, 6);
    const cut = gzipSync(Buffer.from(`${lines.replaceAll(`${tag}-`, `${other}-`)}\n`)).subarray(0, Math.floor(gz.byteLength * 0.8));
    const partial = await importFile(testDb.db, { filePath: writeTemp("cut.log.gz", cut), format: format("hivemq") });
    expect(partial.inserted).toBeGreaterThan(1000);
    // The line the break cut is a dead letter too when the cut falls inside its timestamp.
    const letters = await testDb.db.deadLetter.findMany({ where: { importRunId: partial.runId }, select: { error: true } });
    expect(letters.map((l) => l.error)).toContainEqual(expect.stringMatching(/^the gzip file breaks off: /));
    expect(partial.deadLetters).toBe(letters.length);
    expect(letters.length).toBeLessThanOrEqual(2);
  });

  it("imports a Mosquitto log that the CloudWatch agent shipped, as `aws logs filter-log-events` output", async () => {
    const tag = randomUUID().slice(0, 6);
    const lines = [
      `1714557600: New client connected from 10.0.0.2:5000 as ${tag} (p2, c1, k60).`,
      `1714557605: Client ${tag} has exceeded timeout, disconnecting.`,
    ];
    const output = {
      events: lines.map((message, i) => ({
        logStreamName: "i-0abc",
        timestamp: 1714557600000 + i,
        message,
        ingestionTime: 1714557610000,
        eventId: `${i}`,
      })),
      searchedLogStreams: [],
    };
    const result = await importFile(testDb.db, {
      filePath: writeTemp("mosquitto.json", JSON.stringify(output, null, 2)),
      format: format("mosquitto"),
    });
    expect(result).toMatchObject({ records: 2, inserted: 2, deadLetters: 0 });
    const events = await testDb.db.connectionEvent.findMany({
      where: { deviceId: tag },
      orderBy: { occurredAt: "asc" },
      select: { kind: true, code: true },
    });
    expect(events.map((e) => [e.kind, e.code])).toEqual([
      ["connected", null],
      ["disconnected", "mosquitto:exceeded-timeout"],
    ]);
  });

  it("imports a Mosquitto log whose only times are year-less syslog prefixes: inferred and flagged, or in the year given", async () => {
    const tag = randomUUID().slice(0, 6);
    const text = [
      `Dec 30 23:00:00 gw mosquitto[812]: New client connected from 10.0.0.1:5000 as ${tag}-a (p2, c1, k60).`,
      `Dec 31 23:59:59 gw mosquitto[812]: Client ${tag}-a has exceeded timeout, disconnecting.`,
      `Jan 1 00:00:03 gw mosquitto[812]: New client connected from 10.0.0.1:5001 as ${tag}-a (p2, c1, k60).`,
      `Jan  2 08:00:00 gw mosquitto[812]: Client ${tag}-a closed its connection.`,
    ].join("\n");
    const given = await importFile(testDb.db, { filePath: writeTemp("syslog.log", text), format: format("mosquitto"), syslogYear: 2024 });
    expect(given).toMatchObject({ records: 4, inserted: 4, deadLetters: 0 });
    const events = await testDb.db.connectionEvent.findMany({ where: { deviceId: `${tag}-a` }, orderBy: { occurredAt: "asc" } });
    expect(events.map((event) => [event.occurredAt.toISOString(), event.flags])).toEqual([
      ["2024-12-30T23:00:00.000Z", ["year_given_at_import"]],
      ["2024-12-31T23:59:59.000Z", ["year_given_at_import"]],
      ["2025-01-01T00:00:03.000Z", ["year_given_at_import"]],
      ["2025-01-02T08:00:00.000Z", ["year_given_at_import"]],
    ]);
    expect(await testDb.db.importRun.findUniqueOrThrow({ where: { id: given.runId } })).toMatchObject({ syslogYear: 2024 });

    const inferred = await importFile(testDb.db, {
      filePath: writeTemp("syslog.log", text.replaceAll(`${tag}-a`, `${tag}-b`)),
      format: format("mosquitto"),
    });
    expect(inferred).toMatchObject({ records: 4, inserted: 4, deadLetters: 0 });
    const run = await testDb.db.importRun.findUniqueOrThrow({ where: { id: inferred.runId } });
    const placed = await testDb.db.connectionEvent.findMany({ where: { deviceId: `${tag}-b` }, orderBy: { occurredAt: "asc" } });
    expect(placed.every((event) => event.flags.includes("year_inferred"))).toBe(true);
    expect(placed.at(-1)?.occurredAt.getTime()).toBeLessThanOrEqual(run.startedAt.getTime() + 86_400_000);
    expect(placed[2]?.occurredAt.getUTCFullYear()).toBe((placed[0]?.occurredAt.getUTCFullYear() ?? 0) + 1);
  });

  it("rejects invalid UTF-8 and overlong lines as dead letters and carries on", async () => {
    const tag = randomUUID().slice(0, 6);
    const good = `2024-05-01 10:00:00,000 - Client ID: ${tag}, IP: 10.0.0.1, Clean Start: true, Session Expiry: 0 connected.\n`;
    const file = writeTemp(
      "bad.log",
      Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(`${"x".repeat(100_000)}\n`), Buffer.from(good)]),
    );
    const result = await importFile(testDb.db, { filePath: file, format: format("hivemq") });
    expect(result).toMatchObject({ records: 3, inserted: 1, deadLetters: 2 });
    // The line's bytes as sent, not U+FFFD.
    const letter = await testDb.db.deadLetter.findFirstOrThrow({
      where: { importRunId: result.runId, error: "log line is not valid UTF-8" },
    });
    expect(letter.payload).toBe(`base64:${Buffer.from([0xff, 0xfe]).toString("base64")}`);
  });

  it("refuses a JSON record with bytes that are not UTF-8 instead of storing its device under a name with U+FFFD in it", async () => {
    const tag = randomUUID().slice(0, 6);
    const record = (clientId: string, version: number) =>
      `{"clientId":"${clientId}","timestamp":${Date.now() - 60_000},"eventType":"connected","sessionIdentifier":"s${version}","versionNumber":${version}}\n`;
    const file = writeTemp(
      "aws.ndjson",
      Buffer.concat([
        Buffer.from(record(`${tag}-a`, 1)),
        Buffer.from(record(`${tag}-b\uFFFD`, 1)), // a U+FFFD written in the file is text like any other
        Buffer.from(record(`${tag}-c`, 1)),
        Buffer.concat([Buffer.from(`{"clientId":"${tag}-d`), Buffer.from([0xff, 0xc3]), Buffer.from(record("", 1).slice(13))]),
      ]),
    );
    const result = await importFile(testDb.db, { filePath: file, format: format("aws-iot") });
    expect(result).toMatchObject({ records: 4, inserted: 3, deadLetters: 1 });
    const devices = await testDb.db.connectionEvent.findMany({ where: { deviceId: { startsWith: tag } }, select: { deviceId: true } });
    expect(devices.map((d) => d.deviceId).sort()).toEqual([`${tag}-a`, `${tag}-b\uFFFD`, `${tag}-c`]);
    const letter = await testDb.db.deadLetter.findFirstOrThrow({ where: { importRunId: result.runId } });
    // The bytes as sent, recoverable (base64); the error shows the record as text for a person.
    const sent = Buffer.concat([Buffer.from(`{"clientId":"${tag}-d`), Buffer.from([0xff, 0xc3])]);
    expect(letter.payload).toMatch(/^base64:/);
    expect(Buffer.from(letter.payload.slice("base64:".length), "base64").subarray(0, sent.length).equals(sent)).toBe(true);
    expect(letter.error).toContain("not valid UTF-8");
    expect(letter.error).toContain(`"${tag}-d\uFFFD\uFFFD`);
  });
});
