import { describe, expect, it } from "vitest";
import { decodeDeviceListCursor, decodeEventCursor, encodeDeviceListCursor, encodeEventCursor } from "./cursor.ts";

describe("event cursor", () => {
  it("round-trips occurredAt and a bigint id beyond 2^53", () => {
    const cursor = { occurredAt: new Date("2026-11-22T10:00:00.123Z"), id: 9007199254740993n };
    expect(decodeEventCursor(encodeEventCursor(cursor))).toEqual(cursor);
  });

  it("rejects garbage, other encodings and the device cursor", () => {
    expect(decodeEventCursor("abc")).toBeNull();
    expect(decodeEventCursor("")).toBeNull();
    expect(decodeEventCursor("not base64!")).toBeNull();
    expect(decodeEventCursor(Buffer.from("12:-3").toString("base64url"))).toBeNull();
    expect(decodeEventCursor(encodeDeviceListCursor({ sort: "id", rank: 1, key: null, id: "x" }))).toBeNull();
  });
});

describe("device list cursor", () => {
  it("round-trips ids with slashes, unicode and quotes, and each kind of sort key", () => {
    for (const key of [null, 42, 1_763_812_800_000, 'plant "7"']) {
      const cursor = { sort: "disconnects", rank: 2, key, id: 'plant 7/line#2+ü "q"' };
      expect(decodeDeviceListCursor(encodeDeviceListCursor(cursor))).toEqual(cursor);
    }
  });

  it("rejects out-of-range ranks and malformed payloads", () => {
    expect(decodeDeviceListCursor(encodeDeviceListCursor({ sort: "id", rank: 7, key: null, id: "x" }))).toBeNull();
    expect(decodeDeviceListCursor(Buffer.from('["id",1,{},"x"]').toString("base64url"))).toBeNull();
    expect(decodeDeviceListCursor(Buffer.from("[1]").toString("base64url"))).toBeNull();
    expect(decodeDeviceListCursor(Buffer.from("{").toString("base64url"))).toBeNull();
    expect(decodeDeviceListCursor(encodeEventCursor({ occurredAt: new Date(0), id: 1n }))).toBeNull();
  });
});
