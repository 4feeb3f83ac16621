import { describe, expect, it } from "vitest";
import { decodeDeviceSearchCursor, decodeEventCursor, encodeDeviceSearchCursor, encodeEventCursor } from "./cursor.ts";

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
    expect(decodeEventCursor(encodeDeviceSearchCursor({ rank: 1, id: "x" }))).toBeNull();
  });
});

describe("device search cursor", () => {
  it("round-trips ids with slashes, unicode and quotes", () => {
    const cursor = { rank: 2, id: 'plant 7/line#2+ü "q"' };
    expect(decodeDeviceSearchCursor(encodeDeviceSearchCursor(cursor))).toEqual(cursor);
  });

  it("rejects out-of-range ranks and malformed payloads", () => {
    expect(decodeDeviceSearchCursor(encodeDeviceSearchCursor({ rank: 7, id: "x" }))).toBeNull();
    expect(decodeDeviceSearchCursor(Buffer.from("[1]").toString("base64url"))).toBeNull();
    expect(decodeDeviceSearchCursor(Buffer.from("{").toString("base64url"))).toBeNull();
    expect(decodeDeviceSearchCursor(encodeEventCursor({ occurredAt: new Date(0), id: 1n }))).toBeNull();
  });
});
