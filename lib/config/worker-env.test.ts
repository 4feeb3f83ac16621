import { describe, expect, it } from "vitest";
import { parseWorkerEnv, toDetectionThresholds, toDipThresholds } from "./worker-env.ts";

const BASE = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/linkscope" };

describe("worker env: incident detection", () => {
  it("defaults to 5 devices and 20 % of the fleet within 2 minutes", () => {
    const parsed = parseWorkerEnv(BASE);
    expect(parsed.success && toDetectionThresholds(parsed.data)).toEqual({
      minDevices: 5,
      minFleetFraction: 0.2,
      windowMs: 120_000,
      quietMs: 300_000,
    });
    expect(parsed.success && parsed.data.INCIDENT_DETECTION_INTERVAL_MS).toBe(30_000);
  });

  it("reads overrides and rejects nonsense", () => {
    const parsed = parseWorkerEnv({
      ...BASE,
      INCIDENT_MIN_DEVICES: "50",
      INCIDENT_MIN_FLEET_PERCENT: "5",
      INCIDENT_DETECTION_INTERVAL_MS: "0",
    });
    expect(parsed.success && parsed.data).toMatchObject({
      INCIDENT_MIN_DEVICES: 50,
      INCIDENT_MIN_FLEET_PERCENT: 5,
      INCIDENT_DETECTION_INTERVAL_MS: 0,
    });
    expect(parseWorkerEnv({ ...BASE, INCIDENT_MIN_FLEET_PERCENT: "150" }).success).toBe(false);
    expect(parseWorkerEnv({ ...BASE, INCIDENT_MIN_DEVICES: "1" }).success).toBe(false);
    expect(parseWorkerEnv({ ...BASE, INCIDENT_WINDOW_MS: "two minutes" }).success).toBe(false);
  });

  it("watches connected-device dips of 20 % over 10 minutes unless turned off", () => {
    const parsed = parseWorkerEnv(BASE);
    expect(parsed.success && toDipThresholds(parsed.data)).toEqual({ dipPercent: 20, minDevices: 5, windowMs: 600_000 });
    const off = parseWorkerEnv({ ...BASE, INCIDENT_DIP_PERCENT: "0" });
    expect(off.success && toDipThresholds(off.data)).toBeUndefined();
    expect(parseWorkerEnv({ ...BASE, INCIDENT_DIP_WINDOW_MS: "1000" }).success).toBe(false);
  });
});

describe("worker env: alerts", () => {
  it("evaluates every 15 s by default, 0 turns it off, and the public URL must be http(s)", () => {
    const parsed = parseWorkerEnv(BASE);
    expect(parsed.success && parsed.data.ALERT_EVALUATION_INTERVAL_MS).toBe(15_000);
    const off = parseWorkerEnv({ ...BASE, ALERT_EVALUATION_INTERVAL_MS: "0", LINKSCOPE_PUBLIC_URL: "https://linkscope.example.com" });
    expect(off.success && off.data).toMatchObject({
      ALERT_EVALUATION_INTERVAL_MS: 0,
      LINKSCOPE_PUBLIC_URL: "https://linkscope.example.com",
    });
    expect(parseWorkerEnv({ ...BASE, ALERT_EVALUATION_INTERVAL_MS: "-1" }).success).toBe(false);
    expect(parseWorkerEnv({ ...BASE, LINKSCOPE_PUBLIC_URL: "ftp://example.com" }).success).toBe(false);
  });
});

describe("worker env: flow control", () => {
  it("holds at most 5,000 unacknowledged messages in 2 lanes unless told otherwise, and rejects nonsense", () => {
    const parsed = parseWorkerEnv(BASE);
    expect(parsed.success && [parsed.data.INGEST_MAX_IN_FLIGHT, parsed.data.INGEST_LANES]).toEqual([5000, 2]);
    const tuned = parseWorkerEnv({ ...BASE, INGEST_MAX_IN_FLIGHT: "200", INGEST_LANES: "4" });
    expect(tuned.success && [tuned.data.INGEST_MAX_IN_FLIGHT, tuned.data.INGEST_LANES]).toEqual([200, 4]);
    expect(parseWorkerEnv({ ...BASE, INGEST_MAX_IN_FLIGHT: "0" }).success).toBe(false);
    expect(parseWorkerEnv({ ...BASE, INGEST_LANES: "0" }).success).toBe(false);
  });

  it("lets the heap grow 25 % past its live size unless told otherwise (0: V8's own growth)", () => {
    const parsed = parseWorkerEnv(BASE);
    expect(parsed.success && parsed.data.WORKER_HEAP_GROWTH_PERCENT).toBe(25);
    const v8Default = parseWorkerEnv({ ...BASE, WORKER_HEAP_GROWTH_PERCENT: "0" });
    expect(v8Default.success && v8Default.data.WORKER_HEAP_GROWTH_PERCENT).toBe(0);
    expect(parseWorkerEnv({ ...BASE, WORKER_HEAP_GROWTH_PERCENT: "-5" }).success).toBe(false);
  });

  it("holds at most 8 MiB of unacknowledged payload unless told otherwise, and rejects a bound below 1 KiB", () => {
    const parsed = parseWorkerEnv(BASE);
    expect(parsed.success && parsed.data.INGEST_MAX_IN_FLIGHT_BYTES).toBe(8 * 1024 * 1024);
    const tuned = parseWorkerEnv({ ...BASE, INGEST_MAX_IN_FLIGHT_BYTES: "1048576" });
    expect(tuned.success && tuned.data.INGEST_MAX_IN_FLIGHT_BYTES).toBe(1_048_576);
    expect(parseWorkerEnv({ ...BASE, INGEST_MAX_IN_FLIGHT_BYTES: "100" }).success).toBe(false);
  });

  it("refreshes statistics every 5 minutes unless told otherwise (0: never)", () => {
    const parsed = parseWorkerEnv(BASE);
    expect(parsed.success && parsed.data.STATISTICS_INTERVAL_MS).toBe(300_000);
    const off = parseWorkerEnv({ ...BASE, STATISTICS_INTERVAL_MS: "0" });
    expect(off.success && off.data.STATISTICS_INTERVAL_MS).toBe(0);
    expect(parseWorkerEnv({ ...BASE, STATISTICS_INTERVAL_MS: "-1" }).success).toBe(false);
  });
});
