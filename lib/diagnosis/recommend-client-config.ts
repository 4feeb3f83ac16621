import { NAT_IDLE_TIMEOUT_MAX_SEC, NAT_IDLE_TIMEOUT_MIN_SEC, RECOMMENDED_KEEPALIVE_SEC } from "./detect-network-drops.ts";
import type { DeviceDiagnosis } from "./types.ts";

export type ConfigRecommendation = {
  setting: string;
  value: string;
  reason: string;
  /** What the evidence says about the device today, when it can tell. */
  observed: string | null;
  status: "passed" | "failed" | "unknown";
};

/**
 * The hardened client settings from the field guides, each with its reason, checked against what the device's
 * own events show where they can (keepalive from CONNECT, backoff from reconnect gaps, credentials from refusals).
 */
export function recommendClientConfig(diagnosis: DeviceDiagnosis): ConfigRecommendation[] {
  const keepalive = diagnosis.summary.lastKeepaliveSec;
  const analyzers = new Set(diagnosis.findings.map((finding) => finding.analyzer));
  const storm = analyzers.has("reconnect-storm");
  const steadyRetries = analyzers.has("no-backoff");
  const authStuck = diagnosis.findings.some((finding) => finding.analyzer === "auth-failures" && finding.severity === "critical");
  const expiring =
    analyzers.has("periodic-drops") &&
    diagnosis.findings.some(
      (finding) =>
        finding.analyzer === "periodic-drops" && finding.evidence.stats.kind !== "idle" && finding.evidence.stats.kind !== "timer",
    );
  const { recommendedKeepaliveSec: target, natIdleWindowSec: natWindow } = diagnosis.summary;
  return [
    {
      setting: "Keepalive",
      value: `${target} s`,
      reason:
        natWindow === null
          ? `NAT devices forget idle connections after ${NAT_IDLE_TIMEOUT_MIN_SEC}–${NAT_IDLE_TIMEOUT_MAX_SEC} s, some carrier NATs far sooner; ${target} s keeps the mapping alive, and the broker notices a dead link after ${target * 1.5} s (1.5 × keepalive) instead of many minutes.`
          : `This device's drops show a NAT on its path that forgets idle connections within about ${natWindow} s, far sooner than the usual ${NAT_IDLE_TIMEOUT_MIN_SEC}–${NAT_IDLE_TIMEOUT_MAX_SEC} s; ${target} s (half that window) keeps the mapping alive where the usual ${RECOMMENDED_KEEPALIVE_SEC} s would not.`,
      observed: keepalive === null ? null : `${keepalive} s`,
      // Agrees with the recommendation beside it: 120 s does not "match" 60 s.
      status: keepalive === null ? "unknown" : keepalive > 0 && keepalive <= target ? "passed" : "failed",
    },
    {
      setting: "Reconnect backoff",
      value: "Start at 0.5–1 s, double each attempt, cap at 60 s, add random jitter",
      reason:
        "Transient glitches often recover within a second; doubling with a cap avoids hammering a broker that is down, and jitter keeps a fleet from reconnecting in lockstep after an outage.",
      observed: storm ? "sub-second retries without growing gaps" : steadyRetries ? "retries at a steady pace without growing gaps" : null,
      status: storm || steadyRetries ? "failed" : "unknown",
    },
    {
      setting: "Deeper reconnect",
      value: "After 5 failed attempts, reconnect with freshly generated credentials",
      reason:
        "Repeating a connect with an expired or rejected token never succeeds; regenerating the token (and re-resolving DNS) recovers from authentication problems sooner.",
      observed: authStuck ? "every attempt refused with the same credentials" : null,
      status: authStuck ? "failed" : "unknown",
    },
    {
      setting: "Credential renewal",
      value: "Renew tokens before they expire and reconnect with the new one (for example at 80 % of the lifetime)",
      reason:
        "MQTT cannot refresh credentials inside a connection; a client that waits for the server to cut it off loses messages at every expiry.",
      observed: expiring ? "connections end at credential expiry" : null,
      status: expiring ? "failed" : "unknown",
    },
    {
      setting: "Retries",
      value: "Unlimited, with the backoff above",
      reason:
        "A device that gives up after N attempts stays offline until someone power-cycles it; with backoff, unlimited retries cost little.",
      observed: null,
      status: "unknown",
    },
    {
      setting: "Offline queue",
      value: "Queue commands and telemetry while offline (for example up to 200) and send them on reconnect",
      reason: "Brief disconnects then lose nothing; the queue bound keeps memory in check during long outages.",
      observed: null,
      status: "unknown",
    },
  ];
}
