import type { EventKind, Initiator, Reason } from "@/lib/events/connection-event.ts";
import type { CheckId } from "@/lib/knowledge/types.ts";
import type { ProbeEvidence } from "./probe-coincidence.ts";

/** The slice of a stored event the analyzers read. IDs are strings (bigint in the database). */
export type DiagnosisEvent = {
  id: string;
  kind: EventKind;
  occurredAt: Date;
  reason: Reason;
  initiator: Initiator;
  code: string | null;
  message: string | null;
  clientIp: string | null;
  keepaliveSec: number | null;
  /** The adapter that produced it, where known (`linkscope-agent`, `device-report`, `emqx-sys`, …). */
  source?: string | null;
  /** The source's input shape (`aws-iot:presence`, `aws-iot:cloudwatch`, …; lib/events/feeds.ts), where known. */
  feed?: string | null;
  /** Set by the engine: `device` for a device-side report normalized into a connect, drop or refusal. */
  side?: "broker" | "device";
};

export type DiagnosisSession = {
  startedAt: Date;
  endedAt: Date | null;
  endReason: Reason | null;
  endCode: string | null;
  clientIp: string | null;
};

/**
 * The fleet this device is compared with: devices of the same source (and broker node where known) that were active
 * in the window (`devicesTotal`, this device included), and for each minute (epoch ms) around this device's drops,
 * how many OTHER devices of that fleet dropped in that minute or the one before or after (a burst can straddle a
 * minute boundary). Devices, not drops.
 */
export type FleetContext = { devicesTotal: number; otherDevicesDropping: ReadonlyMap<number, number> };

/** What the device measured at a moment (lib/device-evidence/device-samples.ts): signal and its cumulative publish count. */
export type DiagnosisSample = {
  series: string;
  at: Date;
  rssiDbm: number | null;
  linkQualityPct: number | null;
  publishedMessages: number | null;
};

/** Broker events and device-side reports as one deduplicated, time-ordered list (mergeDeviceReports). */
export type MergedEvents = { events: DiagnosisEvent[]; deviceSide: number };

export type DiagnosisInput = {
  deviceId: string;
  /** Any order; the engine sorts by time. */
  events: readonly DiagnosisEvent[];
  /**
   * `events` as mergeDeviceReports returns them, where the caller merged them already (the loader does, for the fleet
   * and probe look-ups around the drops): a storm's 20,000 events are merged once, not twice.
   */
  merged?: MergedEvents;
  /** No analyzer reads sessions (they pair events the engine pairs itself); the loader leaves them out. */
  sessions?: readonly DiagnosisSession[];
  fleet: FleetContext | null;
  /** Our own scheduled probe runs of the fleet scope's broker endpoint around the drops; absent when none is configured. */
  probes?: ProbeEvidence | null;
  window: { from: Date; to: Date };
  /** True when the window ends at the time of the diagnosis (the device page's live view), not at a chosen past time. */
  windowEndsNow?: boolean;
  /** True when the loader hit its bound and older events in the window were left out. */
  truncated?: boolean;
  /** Device-side samples (signal, publish counts), oldest first; absent when the device reports none. */
  samples?: readonly DiagnosisSample[];
};

export type Severity = "expected" | "info" | "warning" | "critical";
export type StepStatus = "passed" | "failed" | "unknown";

/** A time range to open the device timeline at (`?from=&to=`), ISO strings. */
export type EvidenceRange = { from: string; to: string };

export type EvaluatedStep = { text: string; check: CheckId; status: StepStatus; detail: string; evidence: EvidenceRange | null };

export type Finding = {
  analyzer: string;
  title: string;
  /** One sentence a support engineer can read out. */
  verdict: string;
  severity: Severity;
  /** 0..1, how sure the analyzer is; findings are ordered by it. */
  confidence: number;
  evidence: { eventIds: string[]; stats: Record<string, number | string>; range: EvidenceRange | null };
  /** Knowledge-base codes behind the finding, most relevant first. */
  codes: string[];
  steps: EvaluatedStep[];
};

/** What an analyzer returns before its steps are evaluated against the evidence. */
export type DraftFinding = Omit<Finding, "steps"> & { steps: { text: string; check: CheckId }[] };

export type DeviceDiagnosis = {
  deviceId: string;
  window: { from: string; to: string };
  truncated: boolean;
  /** Where the loader's bound left older events out: the time of the oldest event analysed (ISO); absent otherwise. */
  analysedFrom?: string;
  /** Ordered by confidence, highest first. */
  findings: Finding[];
  /** The finding the banner shows: the most confident alarming one, else the most confident, else null. */
  verdict: Finding | null;
  summary: {
    connects: number;
    drops: number;
    cleanDisconnects: number;
    failedConnects: number;
    fleetWideDrops: number;
    lastKeepaliveSec: number | null;
    /** The keepalive this device should use: 60 s, or less where its drops show a NAT's shorter idle window. */
    recommendedKeepaliveSec: number;
    /** That window in seconds, when the drops show one. */
    natIdleWindowSec: number | null;
  };
};
