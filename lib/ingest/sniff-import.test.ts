import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { findBinaryReason, sniffImport } from "./sniff-import.ts";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../sources/fixtures", name));
const format = (name: string) => getRecordFormat(name) as RecordFormat;

describe("sniffImport", () => {
  it("refuses a binary file before any format is tried", () => {
    const binary = randomBytes(200 * 1024);
    const sniff = sniffImport(binary, format("mosquitto"), true);
    expect(sniff.refusal).toMatch(/binary file/);
    expect(sniff.chosen).toMatchObject({ records: 0, rejected: 0, preview: [] });
  });

  it("previews what the chosen format stores, with its rejection rate", () => {
    const sniff = sniffImport(fixture("mosquitto/capture-2.0.11.log"), format("mosquitto"), true);
    expect(sniff.refusal).toBeNull();
    expect(sniff.suggested).toBeNull();
    expect(sniff.chosen.preview[0]).toMatchObject({ deviceId: "dev-001", kind: "connected" });
    expect(sniff.chosen.events).toBeGreaterThan(0);
    expect(sniff.chosen.rejectionRate).toBeLessThan(0.5);
  });

  it("suggests the format that reads the file when the chosen one reads none of it", () => {
    const sniff = sniffImport(fixture("aws/presence-connected-docs.json"), format("mosquitto"), true);
    expect(sniff.refusal).toBeNull();
    expect(sniff.chosen.events).toBe(0);
    expect(sniff.suggested).toBe(sniff.fits[0]?.name);
    expect(["aws-iot", "cloudwatch"]).toContain(sniff.suggested);
  });

  it("ignores the record cut at the end of a partial sample", () => {
    const log = fixture("mosquitto/capture-2.0.11.log");
    const cut = log.subarray(0, log.indexOf("\n", 400) + 20);
    const sniff = sniffImport(cut, format("mosquitto"), false);
    expect(sniff.chosen.records).toBe(cut.toString("utf8").split("\n").length - 1);
  });
});

describe("sniffImport of a gzip file", () => {
  it("previews the text inside, whole or from a head cut mid-stream", () => {
    const log = fixture("mosquitto/capture-2.0.11.log");
    const whole = sniffImport(gzipSync(log), format("mosquitto"), true);
    expect(whole).toMatchObject({ refusal: null, complete: true, suggested: null });
    expect(whole.chosen.preview[0]).toMatchObject({ deviceId: "dev-001", kind: "connected" });
    const big = gzipSync(Buffer.concat(Array.from({ length: 400 }, () => log)));
    const head = sniffImport(big.subarray(0, Math.floor(big.byteLength / 2)), format("mosquitto"), false);
    expect(head).toMatchObject({ refusal: null, complete: false });
    expect(head.chosen.events).toBeGreaterThan(0);
  });

  it("refuses a gzip file that does not inflate, saying so", () => {
    const broken = Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(2000)]);
    expect(sniffImport(broken, format("mosquitto"), true).refusal).toMatch(/gzip file that cannot be inflated/);
  });
});

describe("findBinaryReason", () => {
  it("accepts UTF-8 text cut mid-character at the end of a partial sample, and refuses text in another encoding", () => {
    const text = Buffer.from("ünïcode log line\n".repeat(10), "utf8");
    expect(findBinaryReason(text.subarray(0, 2), false)).toBeNull();
    expect(findBinaryReason(Buffer.from("ünïcode log line\n".repeat(10), "latin1"), false)).toMatch(/not UTF-8/);
    expect(
      findBinaryReason(
        randomBytes(4000).map((byte) => (byte === 0 ? 1 : byte)),
        true,
      ),
    ).toMatch(/not UTF-8|control characters/);
    expect(findBinaryReason(Buffer.from("a\u0001b\u0002c\u0003d", "utf8"), true)).toMatch(/control characters/);
  });

  it("keeps a log with one line that is not UTF-8: that record becomes a dead letter, the rest is imported", () => {
    const lines = [
      "1796171531: New client connected from 203.0.113.7:40001 as pump-1 (p2, c1, k60).\n",
      "1796171532: Client pump-1 has exceeded timeout, disconnecting.\n",
    ];
    const stray = Buffer.concat([
      Buffer.from(lines[0] ?? "", "utf8"),
      Buffer.from([0xff, 0xfe, 0x0a]),
      Buffer.from(lines[1] ?? "", "utf8"),
    ]);
    expect(findBinaryReason(stray, true)).toBeNull();
    const sniff = sniffImport(stray, format("mosquitto"), true);
    expect(sniff.refusal).toBeNull();
    expect(sniff.chosen.events).toBe(2);
  });

  it("counts the line or record that is not UTF-8 as rejected, as the import does", () => {
    const log = Buffer.concat([
      Buffer.from("1796171531: New client connected from 203.0.113.7:40001 as pump-1 (p2, c1, k60).\n", "utf8"),
      Buffer.from([0x31, 0x3a, 0x20, 0xff, 0xfe, 0x0a]),
      Buffer.from("1796171532: Client pump-1 has exceeded timeout, disconnecting.\n", "utf8"),
    ]);
    const lines = sniffImport(log, format("mosquitto"), true);
    expect(lines.chosen).toMatchObject({ records: 3, events: 2, rejected: 1 });
    expect(lines.chosen.firstRejections).toEqual([{ index: 1, error: "log line is not valid UTF-8" }]);

    const presence = (clientId: string) =>
      JSON.stringify({ clientId, timestamp: 1796171531000, eventType: "connected", sessionIdentifier: "s", versionNumber: 1 });
    const ndjson = Buffer.concat([
      Buffer.from(`${presence("pump-1")}\n`, "utf8"),
      Buffer.from(`${presence("pump-2")}\n`.replace("pump-2", "pump-\u00ff"), "latin1"),
      Buffer.from(`${presence("pump-3")}\n`, "utf8"),
    ]);
    const records = sniffImport(ndjson, format("aws-iot"), true);
    expect(records.chosen).toMatchObject({ records: 3, events: 2, rejected: 1 });
    expect(records.chosen.firstRejections).toEqual([{ index: 1, error: expect.stringMatching(/^record is not valid UTF-8/) }]);
  });
});
