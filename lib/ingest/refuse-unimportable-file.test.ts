import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { refuseUnimportableFile } from "./refuse-unimportable-file.ts";

const dir = mkdtempSync(path.join(tmpdir(), "linkscope-import-check-"));
const format = (name: string) => getRecordFormat(name) as RecordFormat;

function check(content: string | Buffer, formatName: string) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, content);
  return refuseUnimportableFile(file, Buffer.byteLength(content), format(formatName));
}

describe("refuseUnimportableFile", () => {
  it("refuses a file with nothing to import: empty, blank, an empty list", async () => {
    await expect(check("", "mosquitto")).rejects.toMatchObject({ kind: "invalid", code: "empty_upload" });
    await expect(check(" \n\t\r\n  \n", "mosquitto")).rejects.toMatchObject({
      code: "empty_upload",
      message: expect.stringContaining("blank"),
    });
    await expect(check("\n\n", "aws-iot")).rejects.toMatchObject({ code: "empty_upload" });
    await expect(check('{ "records": [] }', "azure-iot-hub")).rejects.toMatchObject({ code: "empty_upload" });
  });

  it("refuses binary bytes and passes a readable log", async () => {
    await expect(check(Buffer.from([0x00, 0x01, 0xff, 0x41]), "hivemq")).rejects.toMatchObject({ code: "not_a_text_file" });
    await expect(
      check("1795345068: New client connected from 127.0.0.1:54798 as d1 (p2, c1, k60).\n", "mosquitto"),
    ).resolves.toBeUndefined();
  });
});
