import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, firstAtOrAfter, median, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DiagnosisSample, DraftFinding } from "./types.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";

/**
 * Wi-Fi below −75 dBm loses frames and roams (−67 dBm is the usual floor for a reliable link); a link-quality
 * figure (cellular, or a driver's percentage) at or below 30 % says the same.
 */
export const WEAK_RSSI_DBM = -75;
export const WEAK_LINK_QUALITY_PCT = 30;
/** A sample this long before a drop (or a little after: reports race the drop) describes the link it dropped on. */
export const SIGNAL_LOOKBACK_MS = 5 * MINUTE_MS;
/** A report written as the connection died can carry a timestamp a little after the broker's. */
const RACE_MS = 5_000;
/** A burst: at least this many times the device's usual publish rate, and at least this many messages a second. */
export const BURST_FACTOR = 4;
export const MIN_BURST_PER_SEC = 0.5;
const MIN_RATE_SEGMENTS = 4;

type SignalReading = { drop: DiagnosisEvent; sample: DiagnosisSample; weak: boolean };

function isWeak(sample: DiagnosisSample): boolean {
  return (
    (sample.rssiDbm !== null && sample.rssiDbm <= WEAK_RSSI_DBM) ||
    (sample.linkQualityPct !== null && sample.linkQualityPct <= WEAK_LINK_QUALITY_PCT)
  );
}

function formatSignal(sample: DiagnosisSample): string {
  return sample.rssiDbm !== null ? `${Math.round(sample.rssiDbm)} dBm` : `${Math.round(sample.linkQualityPct ?? 0)} % link quality`;
}

/**
 * The newest signal sample in [drop − SIGNAL_LOOKBACK_MS, drop], else one a few seconds after (reports race the drop).
 * `times` are the samples' times, in order: a binary search, not a scan per drop (a device reports thousands).
 */
function signalBefore(samples: readonly DiagnosisSample[], times: readonly number[], drop: DiagnosisEvent): DiagnosisSample | null {
  const at = drop.occurredAt.getTime();
  const after = firstAtOrAfter(times, at + 1);
  const previous = samples[after - 1];
  if (previous && (times[after - 1] ?? -Infinity) >= at - SIGNAL_LOOKBACK_MS) return previous;
  const next = samples[after];
  return next && (times[after] ?? Infinity) <= at + RACE_MS ? next : null;
}

/** Drops that follow weak signal are the radio link's (the field guide checks RSSI first for irregular drops). */
export function detectWeakSignalDrops(ctx: AnalysisContext, samples: readonly DiagnosisSample[]): DraftFinding[] {
  const signal = samples
    .filter((sample) => sample.rssiDbm !== null || sample.linkQualityPct !== null)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  if (signal.length === 0 || ctx.deviceDrops.length < 2) return [];
  const times = signal.map((sample) => sample.at.getTime());
  const readings: SignalReading[] = [];
  for (const drop of ctx.deviceDrops) {
    const sample = signalBefore(signal, times, drop);
    if (sample) readings.push({ drop, sample, weak: isWeak(sample) });
  }
  const weak = readings.filter((reading) => reading.weak);
  if (weak.length < 2 || weak.length / readings.length < 0.5) return [];
  const nearDrops = new Set(readings.map((reading) => reading.sample));
  const elsewhere = signal.filter((sample) => !nearDrops.has(sample) && sample.rssiDbm !== null).map((sample) => sample.rssiDbm as number);
  const usual = elsewhere.length >= 3 ? Math.round(median(elsewhere)) : null;
  const values = weak.slice(-6).map((reading) => formatSignal(reading.sample));
  const last = weak.at(-1);
  if (!last) return [];
  const rssiNearDrops = weak.map((reading) => reading.sample.rssiDbm).filter((value): value is number => value !== null);
  return [
    {
      analyzer: "weak-signal-drops",
      title: "Drops after weak signal (radio link)",
      verdict:
        `${weak.length} of ${readings.length} drops with a signal reading came right after weak signal (${values.join(", ")}` +
        `${usual !== null ? `; ${usual} dBm the rest of the time` : ""}): the device's radio link gave out, not the broker or the network behind it.`,
      severity: "warning",
      // Above irregular drops: the signal explains why the drops are irregular.
      confidence: clamp(0.72 + 0.2 * (weak.length / readings.length) + 0.04 * Math.min(1, weak.length / 5)),
      evidence: {
        eventIds: weak.map((reading) => reading.drop.id),
        stats: {
          weakDrops: weak.length,
          dropsWithSignal: readings.length,
          ...(rssiNearDrops.length > 0 ? { medianRssiAtDropsDbm: Math.round(median(rssiNearDrops)) } : {}),
          ...(usual !== null ? { usualRssiDbm: usual } : {}),
          weakThresholdDbm: WEAK_RSSI_DBM,
        },
        range: rangeAround(last.drop.occurredAt),
      },
      codes: [],
      steps: [
        {
          text: "Improve the radio link: move the device or its antenna, add an access point or repeater, or pick a less crowded channel",
          check: "manual",
        },
        { text: "Check Wi-Fi roaming and power save on the device around the drop times", check: "manual" },
        { text: "Reconnect with backoff starting near 0.5–1 s, doubling to a 60 s cap, with jitter", check: "reconnect-backoff" },
      ],
    },
  ];
}

type RateSegment = { from: number; to: number; messages: number; perSec: number };

/** Publish rates between consecutive samples of one series; a counter that went down restarted and starts anew. */
function buildRateSegments(samples: readonly DiagnosisSample[]): RateSegment[] {
  const bySeries = new Map<string, DiagnosisSample[]>();
  for (const sample of samples) {
    if (sample.publishedMessages === null) continue;
    const list = bySeries.get(sample.series);
    if (list) list.push(sample);
    else bySeries.set(sample.series, [sample]);
  }
  const segments: RateSegment[] = [];
  for (const list of bySeries.values()) {
    list.sort((a, b) => a.at.getTime() - b.at.getTime());
    for (let index = 1; index < list.length; index += 1) {
      const previous = list[index - 1];
      const current = list[index];
      if (!previous || !current || previous.publishedMessages === null || current.publishedMessages === null) continue;
      const seconds = (current.at.getTime() - previous.at.getTime()) / 1000;
      const messages = current.publishedMessages - previous.publishedMessages;
      if (seconds <= 0 || messages < 0) continue;
      segments.push({ from: previous.at.getTime(), to: current.at.getTime(), messages, perSec: messages / seconds });
    }
  }
  return segments.sort((a, b) => a.to - b.to);
}

/**
 * The segment that ends at a drop at `at` (a report the drop itself triggered) or last before it. `ends` are the
 * segments' ends, in order: only the segments ending in the look-back are read, not every segment per drop.
 */
function segmentBefore(segments: readonly RateSegment[], ends: readonly number[], at: number): RateSegment | null {
  const earliest = firstAtOrAfter(ends, at - SIGNAL_LOOKBACK_MS);
  for (let i = firstAtOrAfter(ends, at + RACE_MS + 1) - 1; i >= earliest; i -= 1) {
    const segment = segments[i] as RateSegment;
    if (segment.from < at) return segment;
  }
  return null;
}

/**
 * Drops that follow a burst of publishes, from the device's own counts (agent reports, collector exports): the
 * broker or platform cut a device that sent too much even where it gave no throttling code.
 */
export function detectMessageBurstDrops(ctx: AnalysisContext, samples: readonly DiagnosisSample[]): DraftFinding[] {
  const segments = buildRateSegments(samples);
  if (segments.length < MIN_RATE_SEGMENTS || ctx.deviceDrops.length < 2) return [];
  const usual = median(segments.map((segment) => segment.perSec));
  const threshold = Math.max(usual * BURST_FACTOR, MIN_BURST_PER_SEC);
  const measured: { drop: DiagnosisEvent; segment: RateSegment }[] = [];
  const ends = segments.map((segment) => segment.to);
  for (const drop of ctx.deviceDrops) {
    const segment = segmentBefore(segments, ends, drop.occurredAt.getTime());
    if (segment) measured.push({ drop, segment });
  }
  const bursts = measured.filter((entry) => entry.segment.perSec >= threshold);
  if (bursts.length < 2 || bursts.length / measured.length < 0.5) return [];
  const last = bursts.at(-1);
  if (!last) return [];
  const perMinute = (perSec: number) => Math.round(perSec * 60 * 10) / 10;
  const burstRates = bursts.map((entry) => perMinute(entry.segment.perSec));
  return [
    {
      analyzer: "message-burst-drops",
      title: "Drops after bursts of messages (rate limiting)",
      verdict:
        `${bursts.length} of ${measured.length} drops with publish counts came right after a burst (${burstRates.slice(-5).join(", ")} messages a minute against the usual ${perMinute(usual)}), ` +
        "though the server named no throttling: a per-connection rate limit or the device's send buffer most likely ends the connection.",
      severity: "warning",
      confidence: clamp(0.68 + 0.22 * (bursts.length / measured.length) + 0.05 * Math.min(1, bursts.length / 5)),
      evidence: {
        eventIds: bursts.map((entry) => entry.drop.id),
        stats: {
          burstDrops: bursts.length,
          dropsWithCounts: measured.length,
          usualPerMinute: perMinute(usual),
          medianBurstPerMinute: perMinute(median(bursts.map((entry) => entry.segment.perSec))),
        },
        range: rangeAround(last.drop.occurredAt),
      },
      codes: [],
      steps: [
        {
          text: "Spread or batch publishes so bursts stay below the platform's per-connection rate (AWS IoT: 100 publishes a second per connection)",
          check: "manual",
        },
        { text: "Check the client's send buffer and in-flight window for the burst size", check: "manual" },
      ],
    },
  ];
}
