import type { DeviceVitals } from "@/lib/agent/export-format.ts";

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
