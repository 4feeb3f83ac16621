import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyDeviceReport } from "@/lib/diagnosis/device-reports.ts";
import {
  CollectorExportSchema,
  isHomeAssistantDiagnostics,
  locateCollectorExport,
  replaceNonFiniteNumbers,
  toCollectorEvents,
  toCollectorSample,
} from "./collector-export.ts";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../e2e/fixtures/${name}`, import.meta.url), "utf8")) as unknown;

describe("collector export", () => {
  it("reads the field guide's export_json() and turns drops and reconnections into device reports", () => {
    const located = locateCollectorExport(fixture("mqtt_diagnostics.json"));
    expect(located).toMatchObject({ kind: "collector", path: "(root)" });
    const data = CollectorExportSchema.parse(located?.value);
    const events = toCollectorEvents("heater-1", data);
    const drops = events.filter((event) => classifyDeviceReport(event) === "drop");
    const connects = events.filter((event) => classifyDeviceReport(event) === "connect");
    expect(drops).toHaveLength(8);
    expect(connects).toHaveLength(9);
    expect(drops[0]).toMatchObject({
      kind: "device_report",
      code: "crt:5134",
      reason: "connection_lost",
      message: expect.stringMatching(/^dropped after 3100 s connected: /),
    });
    expect(connects[1]?.message).toBe("resumed on attempt 1 after 1 s offline");
    expect(toCollectorSample("heater-1", data)).toMatchObject({
      series: "mqtt-diagnostics-collector",
      publishedMessages: 1432,
      at: new Date(data.timestamp ?? ""),
    });
  });

  it("gives every record a key of its own that does not change between exports", () => {
    const data = CollectorExportSchema.parse(fixture("mqtt_diagnostics.json"));
    const first = toCollectorEvents("heater-1", data).map((event) => event.dedupeKey);
    expect(new Set(first).size).toBe(first.length);
    expect(
      toCollectorEvents("heater-1", { ...data, recent_drops: data.recent_drops.slice(2) })
        .map((event) => event.dedupeKey)
        .every((key) => first.includes(key)),
    ).toBe(true);
    expect(toCollectorEvents("heater-2", data)[0]?.dedupeKey).not.toBe(first[0]);
  });

  it("finds the export inside a Home Assistant diagnostics download", () => {
    const value = fixture("home-assistant-diagnostics.json");
    expect(isHomeAssistantDiagnostics(value)).toBe(true);
    const located = locateCollectorExport(value);
    expect(located).toMatchObject({ kind: "home-assistant", path: "data.mqtt_diagnostics" });
    expect(CollectorExportSchema.parse(located?.value).recent_drops).toHaveLength(9);
    expect(locateCollectorExport({ home_assistant: {}, data: { entry: { title: "x" } } })).toBeNull();
    expect(locateCollectorExport({ something: "else" })).toBeNull();
  });

  // Where a string had to close, each escaped quote of one left open started a scan to the end of the file again:
  // 4 s for 64 KB, hours for the 8 MB an upload may hold. No string starts inside an open one, so one pass.
  it("reads an upload of 1 MB of escaped quotes with its string never closed in one pass", { timeout: 30_000 }, () => {
    const text = `{"a": Infinity, "b": "${'\\"'.repeat(512 * 1024)} NaN`;
    expect(replaceNonFiniteNumbers(text)).toBe(`{"a": null, "b": "${'\\"'.repeat(512 * 1024)} null`);
    expect(replaceNonFiniteNumbers('["x\\" Infinity", NaN, "y]')).toBe('["x\\" Infinity", null, "y]');
  });

  it("tolerates unknown fields, nulls and Python's Infinity, and names what is missing", () => {
    const text =
      '{"metrics": {"total_connection_drops": 1, "shortest_session_seconds": Infinity, "x": NaN}, "recent_drops": [{"timestamp": "2026-11-30T10:00:00.123456+00:00", "error_name": null, "error_message": "Infinity pool", "error_code": null, "duration_connected_seconds": null, "extra": true}], "new_field": {}}';
    const data = CollectorExportSchema.parse(JSON.parse(replaceNonFiniteNumbers(text)));
    expect(data.recent_drops[0]?.error_message).toBe("Infinity pool");
    expect(toCollectorEvents("d", data)[0]).toMatchObject({
      code: "agent:CONNECTION_INTERRUPTED",
      reason: "connection_lost",
      message: "dropped after an unknown time connected: Infinity pool",
    });
    const missing = CollectorExportSchema.safeParse({ recent_drops: [{ error_name: "X" }] });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((issue) => issue.path.join("."))).toEqual(
      expect.arrayContaining(["metrics", "recent_drops.0.timestamp"]),
    );
  });
});
