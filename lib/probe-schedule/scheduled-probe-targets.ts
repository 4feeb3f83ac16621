import { refuseOutboundHost } from "@/lib/security/outbound-connect.ts";
import { normalizeAddress, OUTBOUND_ALLOW_ENV, readOutboundPolicy, type OutboundPolicy } from "@/lib/security/outbound-policy.ts";
import { parseProbeTarget } from "@/lib/probe/probe-target.ts";
import type { ProbeTargetPolicy } from "@/lib/probe/probe-target-policy.ts";
import { getServerProbePolicy } from "@/lib/probe/server-probe-policy.ts";

/** The operator's two lists a scheduled probe's target is checked against (decision 074). */
export type ScheduledProbeTargets = { probeTargets: ProbeTargetPolicy; outbound: OutboundPolicy };

export function readScheduledProbeTargets(env: Readonly<Record<string, string | undefined>> = process.env): ScheduledProbeTargets {
  return { probeTargets: getServerProbePolicy(env), outbound: readOutboundPolicy(env) };
}

/**
 * Where a scheduled probe of `host` may connect. An admin saved the target, so it gets the alert channels' rule
 * (decision 035): public addresses, and non-public ones only when the operator listed them, either in
 * LINKSCOPE_OUTBOUND_ALLOW or through the probe allow-list (LINKSCOPE_PROBE_TARGETS, by default the brokers the
 * sources read). Without it an admin session could scan loopback, private networks and the cloud metadata service.
 */
export function scheduledProbeAddressPolicy(host: string, targets: ScheduledProbeTargets): OutboundPolicy {
  const hostListed = targets.probeTargets.refuseHost(host) === null;
  // A listed address is allowed under any name that resolves to it (`localhost` where the sources read 127.0.0.1).
  const addressListed = (address: string) => targets.probeTargets.refuseHost(normalizeAddress(address)) === null;
  return {
    refuseAddress(address) {
      if ((hostListed || addressListed(address)) && targets.probeTargets.refuseAddress(address) === null) return null;
      if (targets.outbound.refuseAddress(address) === null) return null;
      return `${normalizeAddress(address)} is a loopback, private, link-local or reserved address, which scheduled probes reach only when LINKSCOPE_PROBE_TARGETS or ${OUTBOUND_ALLOW_ENV} lists it`;
    },
  };
}

/** The check a scheduled run applies to every address its URL's host resolves to, on the addresses it connects to. */
export function scheduledProbeAddressCheck(url: string, targets: ScheduledProbeTargets): (address: string) => string | null {
  const policy = scheduledProbeAddressPolicy(parseProbeTarget(url).host, targets);
  return (address) => policy.refuseAddress(address);
}

/**
 * Why a scheduled probe of `url` would be refused today, or null: early feedback when an endpoint is saved. A name
 * that does not resolve now is accepted; the check at every run is the one that counts.
 */
export async function refuseScheduledProbeUrl(url: string, targets: ScheduledProbeTargets, timeoutMs = 2_000): Promise<string | null> {
  const { host } = parseProbeTarget(url);
  return refuseOutboundHost(host, scheduledProbeAddressPolicy(host, targets), timeoutMs);
}
