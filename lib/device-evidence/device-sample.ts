import { z } from "zod";
import { describeZodError } from "@/lib/validation/zod-issues.ts";
import type { DeviceVitals } from "@/lib/agent/export-format.ts";
import { EARLIEST_EVENT_TIME } from "@/lib/events/connection-event.ts";
import { MAX_EVENT_LEAD_MS } from "@/lib/ingest/future-events.ts";

/**
 * What the device measured at one moment: signal (Wi-Fi RSSI or cellular signal in dBm, link quality), vitals
 * (battery, free memory, process uptime) and its cumulative publish count. `series` separates counters that restart:
 * one agent run (its agentId) or one kind of upload.
 */
export type DeviceSample = {
  deviceId: string;
  series: string;
  at: Date;
  rssiDbm: number | null;
  linkQualityPct: number | null;
  batteryPct: number | null;
  freeMemoryBytes: number | null;
  uptimeSec: number | null;
  publishedMessages: number | null;
};

export function buildDeviceSample(input: {
  deviceId: string;
  series: string;
  at: Date;
  vitals?: DeviceVitals | null;
  publishedMessages?: number | null;
}): DeviceSample {
  const vitals = input.vitals ?? {};
  return {
    deviceId: input.deviceId,
    series: input.series,
    at: input.at,
    rssiDbm: vitals.rssiDbm ?? null,
    linkQualityPct: vitals.linkQualityPct ?? null,
    batteryPct: vitals.batteryPct ?? null,
    freeMemoryBytes: vitals.freeMemoryBytes ?? null,
    uptimeSec: vitals.uptimeSec ?? null,
    publishedMessages: input.publishedMessages ?? null,
  };
}

/**
 * Why a sample's time is not one to store, or null: the bounds events have (decision 072). A sample dated years ahead
 * would be the device's newest for ever (retention deletes samples by age); one before 1970, or before year 1, is a
 * clock that never was set, and Postgres refuses the latter.
 */
export function refuseSampleTime(sample: DeviceSample, receivedAtMs: number): string | null {
  const at = sample.at.getTime();
  if (Number.isNaN(at)) return "the device sample has no valid time";
  if (at < EARLIEST_EVENT_TIME.getTime())
    return `sample time ${sample.at.toISOString()} is before 1970-01-01: the clock that wrote it was not set`;
  if (at > receivedAtMs + MAX_EVENT_LEAD_MS)
    return `sample time ${sample.at.toISOString()} is more than ten years after it was received (${new Date(receivedAtMs).toISOString()}): the clock that wrote it is wrong`;
  return null;
}

const SampleJsonSchema = z.object({
  deviceId: z.string(),
  series: z.string(),
  at: z.iso.datetime({ offset: true }).nullable(),
  rssiDbm: z.number().nullable(),
  linkQualityPct: z.number().nullable(),
  batteryPct: z.number().nullable(),
  freeMemoryBytes: z.number().nullable(),
  uptimeSec: z.number().nullable(),
  publishedMessages: z.number().nullable(),
});

/** A sample as JSON text (a refused sample's dead letter); an invalid time is written as null. */
export function serializeDeviceSample(sample: DeviceSample): string {
  return JSON.stringify({ ...sample, at: Number.isNaN(sample.at.getTime()) ? null : sample.at.toISOString() });
}

/** The sample `serializeDeviceSample` wrote, or why it is not one. */
export function parseDeviceSample(text: string): { ok: true; sample: DeviceSample } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not a device sample: ${(error as Error).message}` };
  }
  const parsed = SampleJsonSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `not a device sample: ${describeZodError(parsed.error)}` };
  if (parsed.data.at === null) return { ok: false, error: "the device sample has no valid time, so it can never be stored" };
  return { ok: true, sample: { ...parsed.data, at: new Date(parsed.data.at) } };
}
