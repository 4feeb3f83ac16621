import { describe, expect, it } from "vitest";
import { parseRetentionPolicy } from "./retention-policy.ts";

describe("parseRetentionPolicy", () => {
  it("has the defaults a user expects", () => {
    expect(parseRetentionPolicy({})).toEqual({
      rawPayloadDays: 30,
      eventDays: 400,
      minuteRollupDays: 30,
      hourlyRollupDays: 730,
      deadLetterDays: 90,
      auditDays: 365,
      probeResultDays: 30,
      importUploadDays: 7,
      alertHistoryDays: 365,
      incidentDays: 730,
      deviceSampleDays: 90,
      shareLinkDays: 90,
      deviceDays: 730,
      intervalMs: 3_600_000,
    });
  });

  it("reads the variables and refuses contradictions with a readable message", () => {
    expect(parseRetentionPolicy({ RETENTION_EVENT_DAYS: "90", RETENTION_RAW_PAYLOAD_DAYS: "7", RETENTION_INTERVAL_MS: "0" })).toMatchObject(
      { eventDays: 90, rawPayloadDays: 7, intervalMs: 0 },
    );
    expect(() => parseRetentionPolicy({ RETENTION_EVENT_DAYS: "10", RETENTION_RAW_PAYLOAD_DAYS: "30" })).toThrow(
      /RETENTION_RAW_PAYLOAD_DAYS cannot exceed RETENTION_EVENT_DAYS/,
    );
    expect(() => parseRetentionPolicy({ RETENTION_MINUTE_ROLLUP_DAYS: "800" })).toThrow(/RETENTION_MINUTE_ROLLUP_DAYS cannot exceed/);
    expect(() => parseRetentionPolicy({ RETENTION_AUDIT_DAYS: "0" })).toThrow(/RETENTION_AUDIT_DAYS/);
  });
});
