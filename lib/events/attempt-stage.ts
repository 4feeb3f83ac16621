import type { EventKind, Reason } from "./connection-event.ts";

/**
 * The steps of a connection attempt, in order: name resolution, the TCP connect, the TLS handshake, MQTT CONNECT /
 * CONNACK (credentials, authorization, protocol, quotas), then the session the broker accepted. A failure "at session"
 * is a drop after the broker accepted the connection; `unknown` is a failed attempt nothing places.
 */
export const ATTEMPT_STEPS = ["dns", "tcp", "tls", "mqtt-connect", "session"] as const;
export type AttemptStep = (typeof ATTEMPT_STEPS)[number];
export type AttemptStage = AttemptStep | "unknown";

/** The steps before the broker answers: a failure here never reached it, so only the device (or a probe) can say so. */
export const BEFORE_BROKER: ReadonlySet<AttemptStage> = new Set(["dns", "tcp"]);

/**
 * What one event says about a connection attempt: it connected, the session ended cleanly, it failed at a stage, or
 * it says nothing of an attempt (a device's system event).
 */
export type AttemptOutcome = { outcome: "connected" } | { outcome: "closed" } | { outcome: "failed"; stage: AttemptStage } | null;

/**
 * The agent's report types (lib/agent/export-format.ts) say which phase a device-side error belongs to: a failed attempt
 * or a drop from a settled connection. Other device-side sources say nothing (null): their code decides.
 */
export type DevicePhase = "attempt" | "session" | null;

/**
 * Codes whose canonical reason does not say the step: device-side socket and resolver errors all read
 * `connection_lost`, and a broker that closes a connection which never sent CONNECT reads `idle_timeout`. Every other
 * code's step follows from its kind and reason (lib/sources/vendor-codes.ts is the one table of reasons); a unit test
 * checks each code listed here is in that table.
 */
const STAGE_BY_CODE: ReadonlyMap<string, AttemptStep> = new Map([
  ...stage("dns", [
    "agent:ENOTFOUND",
    "agent:EAI_AGAIN",
    "crt:1058",
    "crt:1059",
    "crt:1060",
    "crt:1061",
    "crt:1195",
    "libmosquitto:lookup-error",
    "libmosquitto:dns-lookup-failed",
  ]),
  ...stage("tcp", [
    "agent:ECONNREFUSED",
    "agent:EHOSTUNREACH",
    "agent:ENETUNREACH",
    "agent:ENETDOWN",
    "agent:ETIMEDOUT",
    "crt:1047",
    "crt:1048",
    "crt:1049",
    "crt:1050",
    "crt:1057",
    "libmosquitto:the-connection-was-refused",
    "azure:IOTHUB_CLIENT_CONNECTION_NO_NETWORK",
  ]),
  ...stage("mqtt-connect", [
    "agent:CLOSED_BEFORE_CONNACK",
    "agent:CONNACK_TIMEOUT",
    "agent:CREDENTIALS_UNAVAILABLE",
    "crt:5150",
    "crt:5151",
    "hivemq:NO_CONNECT_IDLE_TIMEOUT",
    "aedes:connect-did-not-arrive-in-time",
  ]),
]);

function stage(step: AttemptStep, codes: readonly string[]): [string, AttemptStep][] {
  return codes.map((code) => [code, step]);
}

/** Reasons a broker gives when it refuses a CONNECT: the attempt reached it and was turned away at CONNACK. */
const REFUSAL_REASONS: ReadonlySet<Reason> = new Set([
  "auth_failed",
  "not_authorized",
  "credential_expired",
  "protocol_error",
  "throttled",
  "quota_exceeded",
  "server_error",
]);

/** A CONNACK return code, or libmosquitto's words for one: the broker answered CONNECT, whatever the reason. */
const CONNACK_REFUSAL = /^(connack:(?!0$)\d+|libmosquitto:connection-refused-.+)$/;

/** The step named for a code, if it names one. */
export function stageOfCode(code: string | null): AttemptStep | null {
  if (code === null) return null;
  return STAGE_BY_CODE.get(code) ?? (CONNACK_REFUSAL.test(code) ? "mqtt-connect" : null);
}

/**
 * What an event says about a connection attempt, from its kind, reason and code (and, for the agent's reports, the
 * phase it reported): the one place stages are derived, for a device's events and for the fleet's rollups alike.
 */
export function attemptOutcomeOf(
  event: { kind: EventKind; reason: Reason; code: string | null },
  phase: DevicePhase = null,
): AttemptOutcome {
  const { kind, reason, code } = event;
  if (reason === "connected") return kind === "disconnected" ? { outcome: "closed" } : { outcome: "connected" };
  if (reason === "client_disconnect") return { outcome: "closed" };
  // A broker logs a failed TLS handshake, or a connection that never sent CONNECT, as the connection it closed.
  if (kind === "disconnected") {
    if (reason === "tls_error") return { outcome: "failed", stage: "tls" };
    return { outcome: "failed", stage: stageOfCode(code) === "mqtt-connect" ? "mqtt-connect" : "session" };
  }
  if (kind === "connected") return { outcome: "connected" };
  if (kind === "device_report" && code?.startsWith("agent:system_event:")) return null;
  // A device that says it dropped from a settled connection lost a session, whatever the socket error was.
  if (kind === "device_report" && phase === "session") return { outcome: "failed", stage: "session" };
  const named = stageOfCode(code);
  if (named) return { outcome: "failed", stage: named };
  if (reason === "tls_error") return { outcome: "failed", stage: "tls" };
  if (kind === "connect_failed") return { outcome: "failed", stage: "mqtt-connect" };
  if (REFUSAL_REASONS.has(reason)) return { outcome: "failed", stage: "mqtt-connect" };
  // A device-side drop code (keepalive, reset, takeover) without the agent's phase: a session that was lost; an
  // attempt the agent says failed with one of them failed somewhere nothing names.
  if (reason === "unknown") return { outcome: "failed", stage: "unknown" };
  return { outcome: "failed", stage: phase === "attempt" ? "unknown" : "session" };
}

/** The codes listed with their step (for the test that keeps this list inside the vendor table). */
export function listCodesWithStage(): ReadonlyArray<readonly [code: string, step: AttemptStep]> {
  return [...STAGE_BY_CODE.entries()];
}
