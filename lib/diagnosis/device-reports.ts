import type { Reason } from "@/lib/events/connection-event.ts";
import { firstAtOrAfter } from "./statistics.ts";
import type { DiagnosisEvent } from "./types.ts";

/**
 * What a `device_report` event is. The agent reports drops, connections, refused attempts and system events under one
 * kind, and the device-report webhook reports errors the device logged (CRT codes, CONNACK codes, "token expired"):
 * only the system events are system events; the rest is the device's own account of a drop, a connect or a refusal.
 */
export type DeviceReportRole = "drop" | "refusal" | "connect" | "system" | "other";

/** The agent's system-event reports (lib/sources/linkscope-agent.ts) and codes the knowledge base names as system events. */
const SYSTEM_CODE = /^(agent:system_event:|syslog:|journal:|system:)|^agent:(SYSTEM_SUSPEND|NETWORK_CHANGE)$/i;
/** Codes that name a connection error of a client library, protocol or platform: never a system event. */
const ERROR_CODE = /^(crt|connack|mqtt5|libmosquitto|gcp-iot|clearblade|aws|azure|azure-egmqtt|aedes|mosquitto|emqx|hivemq):/i;
/** What a device's system log says around a system event (journalctl, NetworkManager, dhclient, cron, suspend). */
const SYSTEM_TEXT =
  /\b(suspend(ed|ing)?|resum(e|ed|ing) from|power[ _-]?sav(e|ing)|going to sleep|sleep mode|wak(e|ing)[ _-]?up|dhcp|dhclient|lease renew(al|ed)?|network[ _-]?change|roam(ed|ing)|interface (up|down)|link (up|down)|networkmanager|systemd-(suspend|sleep|networkd)|cron(d|tab)?|scheduled (job|task))\b/i;
/** Agent messages for drops and refused attempts (lib/sources/linkscope-agent.ts). */
const AGENT_DROP_TEXT = /^dropped after /i;
const AGENT_ATTEMPT_TEXT = /^attempt \d+/i;

const REFUSAL_REASONS: ReadonlySet<Reason> = new Set(["auth_failed", "not_authorized", "tls_error"]);
// MQTT 5 reason codes that only a CONNACK carries (unsupported version, bad client ID, bad credentials, server
// unavailable): a device reporting one was refused, it was never connected.
const CONNACK_ONLY_CODE = /^mqtt5:0x8[4568]$/i;
const REFUSED_TEXT = /\bconnection refused\b|\bconnack\b|\brefused the connection\b/i;

export function classifyDeviceReport(event: Pick<DiagnosisEvent, "kind" | "reason" | "code" | "message">): DeviceReportRole {
  const code = event.code ?? "";
  const message = event.message ?? "";
  if (SYSTEM_CODE.test(code)) return "system";
  if (event.reason === "connected") return "connect";
  if (AGENT_DROP_TEXT.test(message)) return "drop";
  if (AGENT_ATTEMPT_TEXT.test(message) || /^connack:/i.test(code) || CONNACK_ONLY_CODE.test(code) || REFUSED_TEXT.test(message))
    return "refusal";
  if (!ERROR_CODE.test(code) && event.reason === "unknown" && SYSTEM_TEXT.test(`${code.replace(/[-_:]/g, " ")} ${message}`))
    return "system";
  if (REFUSAL_REASONS.has(event.reason)) return "refusal";
  if (event.reason === "unknown" && !code) return "other";
  return "drop";
}

/** The event a device-side report stands for, in the broker's vocabulary; null when it is not a connection event. */
export function normalizeDeviceReport(event: DiagnosisEvent): DiagnosisEvent | null {
  const role = classifyDeviceReport(event);
  if (role === "drop")
    return {
      ...event,
      kind: "disconnected",
      reason: event.reason === "connected" || event.reason === "client_disconnect" ? "unknown" : event.reason,
      side: "device",
    };
  if (role === "refusal") return { ...event, kind: "connect_failed", side: "device" };
  if (role === "connect") return { ...event, kind: "connected", side: "device" };
  return null;
}

/** How far apart a broker event and the device's report of the same moment may be (clocks, detection delays). */
export const SAME_MOMENT_MS = 60_000;

function roleOf(event: DiagnosisEvent): "drop" | "refusal" | "connect" | "clean" | null {
  if (event.kind === "connected") return "connect";
  if (event.kind === "connect_failed") return "refusal";
  if (event.kind === "disconnected") return event.reason === "client_disconnect" ? "clean" : "drop";
  return null;
}

/**
 * Device-side connection events that the broker also recorded (a broker disconnect and the agent's report of the
 * same drop are one drop): each device-side event is paired with the nearest unpaired broker event of the same role
 * within SAME_MOMENT_MS. A device-side drop also pairs with a broker disconnect the broker called clean. Returns the
 * IDs of the device-side events that duplicate a broker event.
 */
export function findDuplicateReports(
  broker: readonly DiagnosisEvent[],
  device: readonly DiagnosisEvent[],
  options: { isolatedWithinMs?: number } = {},
): Set<string> {
  const byRole = new Map<string, DiagnosisEvent[]>();
  for (const event of broker) {
    const role = roleOf(event);
    if (!role) continue;
    const key = role === "clean" ? "drop" : role;
    const list = byRole.get(key);
    if (list) list.push(event);
    else byRole.set(key, [event]);
  }
  const used = new Set<string>();
  const duplicates = new Set<string>();
  for (const report of device) {
    const role = roleOf(report);
    if (!role) continue;
    const candidates = byRole.get(role === "clean" ? "drop" : role) ?? [];
    const at = report.occurredAt.getTime();
    let best: DiagnosisEvent | null = null;
    let bestDistance = Number.POSITIVE_INFINITY;
    // Candidates are time-sorted: binary search the insertion point, then look outward within the window.
    let lo = 0;
    let hi = candidates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((candidates[mid]?.occurredAt.getTime() ?? 0) < at) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i -= 1) {
      const candidate = candidates[i];
      if (!candidate || at - candidate.occurredAt.getTime() > SAME_MOMENT_MS) break;
      if (used.has(candidate.id)) continue;
      const distance = at - candidate.occurredAt.getTime();
      if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
      break;
    }
    for (let i = lo; i < candidates.length; i += 1) {
      const candidate = candidates[i];
      if (!candidate || candidate.occurredAt.getTime() - at > SAME_MOMENT_MS) break;
      if (used.has(candidate.id)) continue;
      const distance = candidate.occurredAt.getTime() - at;
      if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
      break;
    }
    if (best) {
      used.add(best.id);
      duplicates.add(report.id);
    }
  }
  if (options.isolatedWithinMs) pairIsolated(byRole, device, used, duplicates, options.isolatedWithinMs);
  return duplicates;
}

/** Up to two events of `events` (time-sorted) within `withinMs` of `at`, skipping those in `skip`: one, or "more". */
function near(events: readonly DiagnosisEvent[], times: readonly number[], at: number, withinMs: number, skip: ReadonlySet<string>) {
  const found: DiagnosisEvent[] = [];
  for (let i = firstAtOrAfter(times, at - withinMs); i < events.length && (times[i] ?? Infinity) <= at + withinMs; i += 1) {
    const event = events[i];
    if (event && !skip.has(event.id)) found.push(event);
    if (found.length === 2) break;
  }
  return found;
}

/**
 * Second pass for reports the first left unpaired: too few to tell the device clock's offset (a sparse history), a
 * clock minutes off leaves each report alone beside the broker's event of the same moment. A report and a broker
 * event of the same role that are each other's only candidate within `withinMs` are one event.
 */
function pairIsolated(
  byRole: ReadonlyMap<string, DiagnosisEvent[]>,
  device: readonly DiagnosisEvent[],
  used: Set<string>,
  duplicates: Set<string>,
  withinMs: number,
): void {
  const left = new Map<string, DiagnosisEvent[]>();
  for (const report of device) {
    const role = roleOf(report);
    if (!role || duplicates.has(report.id)) continue;
    const key = role === "clean" ? "drop" : role;
    const list = left.get(key);
    if (list) list.push(report);
    else left.set(key, [report]);
  }
  for (const [key, reports] of left) {
    const candidates = byRole.get(key) ?? [];
    const candidateTimes = candidates.map((event) => event.occurredAt.getTime());
    const reportTimes = reports.map((event) => event.occurredAt.getTime());
    const paired = new Set<string>();
    for (const report of reports) {
      const [only, ...others] = near(candidates, candidateTimes, report.occurredAt.getTime(), withinMs, used);
      if (!only || others.length > 0) continue;
      if (near(reports, reportTimes, only.occurredAt.getTime(), withinMs, paired).length !== 1) continue;
      used.add(only.id);
      paired.add(report.id);
      duplicates.add(report.id);
    }
  }
}
