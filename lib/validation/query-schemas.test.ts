import { describe, expect, it } from "vitest";
import {
  createLimitParamSchema,
  EventCursorParamSchema,
  resolveTimeRange,
  TimestampBodySchema,
  TimestampParamSchema,
} from "./query-schemas.ts";
import { parseInput } from "./parse-input.ts";
import { ManualIncidentSchema } from "@/lib/incidents/incident-schemas.ts";
import { CreateMaintenanceWindowSchema } from "@/lib/alerts/alert-quiet-schemas.ts";
import { encodeEventCursor } from "@/lib/queries/cursor.ts";

describe("TimestampParamSchema", () => {
  it("accepts ISO 8601 with a zone and epoch milliseconds", () => {
    expect(TimestampParamSchema.parse("2026-11-22T10:00:00Z")).toEqual(new Date("2026-11-22T10:00:00Z"));
    expect(TimestampParamSchema.parse("2026-11-22T11:00:00.250+01:00")).toEqual(new Date("2026-11-22T10:00:00.250Z"));
    expect(TimestampParamSchema.parse("1795341399819")).toEqual(new Date(1795341399819));
  });

  it("rejects words, dates without a time and times without a zone, quoting the input", () => {
    for (const text of ["yesterday", "2026-11-22", "2026-11-22T10:00:00", ""]) {
      const result = TimestampParamSchema.safeParse(text);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toContain("must be an ISO 8601 timestamp");
    }
  });
});

describe("TimestampBodySchema", () => {
  it("reads ISO 8601 with a zone and epoch milliseconds as a string or a number", () => {
    const at = new Date("2026-11-22T10:00:00Z");
    expect(TimestampBodySchema.parse("2026-11-22T10:00:00Z")).toEqual(at);
    expect(TimestampBodySchema.parse("2026-11-22T11:00:00+01:00")).toEqual(at);
    expect(TimestampBodySchema.parse(at.getTime())).toEqual(at);
    expect(TimestampBodySchema.parse(String(at.getTime()))).toEqual(at);
  });

  it("refuses a time without a zone, words, null and nonsense with one readable message, never 'expected date, received Date' or 1970", () => {
    for (const bad of ["2026-11-22 10:00", "2026-11-22T10:00", "yesterday", "", null, -5, 1.5, true, {}]) {
      const result = TimestampBodySchema.safeParse(bad);
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/^must be an ISO 8601 timestamp with a time zone/);
    }
  });

  it("is what the manual incident and maintenance window bodies use", () => {
    expect(() => parseInput(ManualIncidentSchema, { from: "yesterday", to: "2026-11-22T10:00:00Z" })).toThrow(
      /from: must be an ISO 8601 timestamp with a time zone/,
    );
    const window = { name: "nightly", recurrence: "daily", durationMinutes: 15, startsAt: null };
    expect(() => parseInput(CreateMaintenanceWindowSchema, window)).toThrow(/startsAt: must be an ISO 8601 timestamp/);
  });
});

describe("createLimitParamSchema", () => {
  const schema = createLimitParamSchema(50, 200);

  it("defaults when absent and accepts whole numbers in range", () => {
    expect(schema.parse(undefined)).toBe(50);
    expect(schema.parse("1")).toBe(1);
    expect(schema.parse("200")).toBe(200);
  });

  it("rejects text, zero, negatives, decimals and values above the maximum with one message", () => {
    for (const text of ["abc", "0", "-1", "2.5", "201", "1e3"]) {
      const result = schema.safeParse(text);
      expect(result.success, text).toBe(false);
      expect(result.error?.issues[0]?.message).toBe("must be a whole number between 1 and 200");
    }
  });
});

describe("EventCursorParamSchema", () => {
  it("decodes cursors the API issued and rejects others", () => {
    const cursor = { occurredAt: new Date("2026-11-22T10:00:00Z"), id: 42n };
    expect(EventCursorParamSchema.parse(encodeEventCursor(cursor))).toEqual(cursor);
    expect(EventCursorParamSchema.safeParse("bogus").success).toBe(false);
  });
});

describe("resolveTimeRange", () => {
  const now = new Date("2026-11-22T12:00:00Z");

  it("fills in now and the default span", () => {
    expect(resolveTimeRange({}, 3_600_000, now)).toEqual({ ok: true, range: { from: new Date("2026-11-22T11:00:00Z"), to: now } });
    const to = new Date("2026-11-21T00:00:00Z");
    expect(resolveTimeRange({ to }, 3_600_000, now)).toEqual({ ok: true, range: { from: new Date("2026-11-20T23:00:00Z"), to } });
  });

  it("rejects empty, reversed and over-long windows", () => {
    expect(resolveTimeRange({ from: now, to: now }, 1, now)).toEqual({ ok: false, message: "from must be earlier than to" });
    expect(resolveTimeRange({ from: new Date("2026-01-01T00:00:00Z") }, 1, now)).toEqual({
      ok: false,
      message: "the range from..to must be at most 92 days",
    });
  });
});
