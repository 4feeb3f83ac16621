import type { AttemptStage } from "@/lib/events/attempt-stage.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { AttemptFunnel, FunnelStage } from "./attempt-funnel.ts";

const STAGE_NAMES: Record<AttemptStage, string> = {
  dns: "DNS",
  tcp: "the TCP connect",
  tls: "the TLS handshake",
  "mqtt-connect": "CONNACK",
  session: "the session",
  unknown: "an unnamed step",
};

const ADVICE: Partial<Record<AttemptStage, string>> = {
  dns: "check the device's resolver and the broker host name",
  tcp: "check the broker address, the port and firewalls on the path",
  tls: "check the CA bundle, the certificates and the device clock",
};

const REFUSAL_ADVICE: Partial<Record<Reason, string>> = {
  auth_failed: "check the device's credentials",
  credential_expired: "check how the device renews its credentials",
  not_authorized: "check the device's registration and policy",
  protocol_error: "check the client ID and the protocol version",
  throttled: "spread the reconnects out (backoff with jitter)",
  quota_exceeded: "check the quota the device exceeds",
  server_error: "check the broker's health",
};

export const DEVICE_SIDE_MISSING =
  "Without device-side reports, attempts that never reached the broker are not visible here: upload an agent export or device logs to see them.";

/**
 * One reading of the funnel for a person: where attempts stop, how often, the code behind it and what to check first
 * ("31 of 40 attempts never reached the broker: DNS failed 28 times (agent:ENOTFOUND) — check the device's resolver…").
 */
export function describeAttemptFunnel(funnel: Omit<AttemptFunnel, "reading">): string {
  const at = (stage: AttemptStage) => funnel.stages.find((s) => s.stage === stage);
  const failed = (stage: AttemptStage) => at(stage)?.failed ?? 0;
  const note = funnel.sides.device ? "" : ` ${DEVICE_SIDE_MISSING}`;
  const of = (n: number) => (funnel.attempts === null ? `${count(n)} attempts` : `${count(n)} of ${count(funnel.attempts)} attempts`);
  const beforeBroker = failed("dns") + failed("tcp");
  const noAttempts = funnel.attempts === 0 || (funnel.attempts === null && funnel.stages.every((s) => !s.failed));
  if (noAttempts) return `No connection attempts in this range.${note}`;

  const parts: string[] = [];
  if (beforeBroker > 0) {
    const worst = failed("dns") >= failed("tcp") ? "dns" : "tcp";
    parts.push(
      `${of(beforeBroker)} never reached the broker: ${STAGE_NAMES[worst]} failed ${times(failed(worst))}${codeOf(at(worst))} — ${ADVICE[worst]}`,
    );
  }
  if (failed("tls") > 0) {
    const tls = failed("tls");
    parts.push(`${parts.length ? count(tls) : of(tls)} failed the TLS handshake${codeOf(at("tls"))} — ${ADVICE.tls}`);
  }
  const refused = failed("mqtt-connect");
  if (refused > 0) {
    const reason = at("mqtt-connect")?.topCodes[0]?.reason;
    const reached = funnel.sides.device && parts.length === 0 && failed("unknown") === 0 ? "every attempt reached the broker; " : "";
    const advice = reason && REFUSAL_ADVICE[reason] ? ` — ${REFUSAL_ADVICE[reason]}` : "";
    // A connection closed before any CONNACK (agent:CLOSED_BEFORE_CONNACK, a CONNACK timeout) was not refused.
    const outcome = reason && REFUSAL_ADVICE[reason] ? "refused at CONNACK" : "ended before a CONNACK";
    parts.push(`${reached}${parts.length || reached ? count(refused) : of(refused)} ${outcome}${reasonOf(at("mqtt-connect"))}${advice}`);
  }
  if (failed("unknown") > 0) parts.push(`${times(failed("unknown"), "attempt")} failed at a step nothing names${codeOf(at("unknown"))}`);
  const drops = failed("session");
  if (drops > 0) {
    const sessions = funnel.connected === null ? "" : ` of ${count(Math.max(funnel.connected, drops))}`;
    const who = funnel.sides.broker ? "the broker dropped" : "the device lost";
    const lead = parts.length === 0 && funnel.attempts !== null ? "every attempt connected; " : "";
    parts.push(`${lead}${who} ${count(drops)}${sessions} sessions${reasonOf(at("session"))}`);
  }
  if (parts.length === 0) {
    const attempts = funnel.attempts === null ? "" : ` ${count(funnel.attempts)}`;
    const seen = funnel.sides.device ? "" : " the broker saw";
    return `All${attempts} attempts${seen} connected and no session dropped.${note}`;
  }
  const sentence = parts.join("; ");
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.${note}`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function times(n: number, noun = "time"): string {
  return `${count(n)} ${noun}${n === 1 ? "" : "s"}`;
}

function codeOf(stage: FunnelStage | undefined): string {
  const top = stage?.topCodes[0];
  if (!top) return "";
  return ` (${top.code ?? top.reason.replaceAll("_", " ")})`;
}

function reasonOf(stage: FunnelStage | undefined): string {
  const top = stage?.topCodes[0];
  return top ? ` (${top.reason.replaceAll("_", " ")})` : "";
}
