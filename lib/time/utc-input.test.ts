import { describe, expect, it } from "vitest";
import { fromUtcInput, toUtcInput } from "./utc-input.ts";

describe("datetime-local values read as UTC", () => {
  it("reads minutes and seconds as UTC instants", () => {
    expect(fromUtcInput("2026-11-22T10:00")).toBe("2026-11-22T10:00:00.000Z");
    expect(fromUtcInput("2026-11-22T10:00:30")).toBe("2026-11-22T10:00:30.000Z");
  });

  it("gives null for an empty field instead of throwing, so the server can say the field is required", () => {
    expect(fromUtcInput("")).toBeNull();
    expect(fromUtcInput("  ")).toBeNull();
  });

  it("passes a value that is not a time through as typed, for the server's readable error", () => {
    expect(fromUtcInput("tomorrow")).toBe("tomorrow");
  });

  it("writes an instant back as the input's UTC value", () => {
    expect(toUtcInput("2026-11-22T10:00:59.999Z")).toBe("2026-11-22T10:00");
    expect(toUtcInput(new Date(Date.UTC(2026, 0, 2, 3, 4)))).toBe("2026-01-02T03:04");
    expect(toUtcInput(fromUtcInput("2026-11-22T23:59")!)).toBe("2026-11-22T23:59");
  });
});
