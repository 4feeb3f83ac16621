import type { DeviceSample } from "./device-sample.ts";

/** One chart point: averages over a time bucket; null where the device reported nothing of that kind. */
export type VitalsPoint = {
  at: string;
  rssiDbm: number | null;
  linkQualityPct: number | null;
  batteryPct: number | null;
  publishedPerMinute: number | null;
};

export type VitalsSeries = {
  points: VitalsPoint[];
  has: { rssi: boolean; linkQuality: boolean; battery: boolean; publishRate: boolean };
  /** The newest reading of each kind, for the figures beside the chart. */
  latest: {
    at: string | null;
    rssiDbm: number | null;
    batteryPct: number | null;
    freeMemoryBytes: number | null;
    uptimeSec: number | null;
  };
};

type Bucket = { sums: Record<"rssiDbm" | "linkQualityPct" | "batteryPct" | "publishedPerMinute", { total: number; count: number }> };

const average = (entry: { total: number; count: number }) => (entry.count === 0 ? null : Math.round((entry.total / entry.count) * 10) / 10);

/**
 * Samples (oldest first) to at most `maxPoints` chart points over [from, to]: values averaged per equal time bucket,
 * publish counts turned into a rate per minute between consecutive samples of one series (restarts skipped). Pure.
 */
export function shapeVitalsSeries(samples: readonly DeviceSample[], range: { from: Date; to: Date }, maxPoints = 480): VitalsSeries {
  const span = Math.max(1, range.to.getTime() - range.from.getTime());
  const bucketMs = Math.max(60_000, Math.ceil(span / maxPoints));
  const buckets = new Map<number, Bucket>();
  const bucketOf = (at: Date): Bucket => {
    const key = Math.floor(at.getTime() / bucketMs) * bucketMs;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = {
        sums: {
          rssiDbm: { total: 0, count: 0 },
          linkQualityPct: { total: 0, count: 0 },
          batteryPct: { total: 0, count: 0 },
          publishedPerMinute: { total: 0, count: 0 },
        },
      };
      buckets.set(key, bucket);
    }
    return bucket;
  };
  const lastCount = new Map<string, { at: number; count: number }>();
  const latest: VitalsSeries["latest"] = { at: null, rssiDbm: null, batteryPct: null, freeMemoryBytes: null, uptimeSec: null };
  for (const sample of samples) {
    const bucket = bucketOf(sample.at);
    for (const key of ["rssiDbm", "linkQualityPct", "batteryPct"] as const) {
      const value = sample[key];
      if (value !== null) {
        bucket.sums[key].total += value;
        bucket.sums[key].count += 1;
      }
    }
    if (sample.publishedMessages !== null) {
      const previous = lastCount.get(sample.series);
      const minutes = previous ? (sample.at.getTime() - previous.at) / 60_000 : 0;
      if (previous && minutes > 0 && sample.publishedMessages >= previous.count) {
        bucket.sums.publishedPerMinute.total += (sample.publishedMessages - previous.count) / minutes;
        bucket.sums.publishedPerMinute.count += 1;
      }
      lastCount.set(sample.series, { at: sample.at.getTime(), count: sample.publishedMessages });
    }
    latest.at = sample.at.toISOString();
    latest.rssiDbm = sample.rssiDbm ?? latest.rssiDbm;
    latest.batteryPct = sample.batteryPct ?? latest.batteryPct;
    latest.freeMemoryBytes = sample.freeMemoryBytes ?? latest.freeMemoryBytes;
    latest.uptimeSec = sample.uptimeSec ?? latest.uptimeSec;
  }
  const points = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, bucket]) => ({
      at: new Date(key).toISOString(),
      rssiDbm: average(bucket.sums.rssiDbm),
      linkQualityPct: average(bucket.sums.linkQualityPct),
      batteryPct: average(bucket.sums.batteryPct),
      publishedPerMinute: average(bucket.sums.publishedPerMinute),
    }));
  return {
    points,
    has: {
      rssi: points.some((point) => point.rssiDbm !== null),
      linkQuality: points.some((point) => point.linkQualityPct !== null),
      battery: points.some((point) => point.batteryPct !== null),
      publishRate: points.some((point) => point.publishedPerMinute !== null),
    },
    latest,
  };
}
