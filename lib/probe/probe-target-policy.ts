import net, { BlockList } from "node:net";
import { addAddressEntry, listHoldsAddress, normalizeAddress } from "@/lib/security/outbound-policy.ts";

/**
 * Which targets the server may probe on a user's behalf. Entries are host names (`broker.example.com`), wildcard
 * host patterns (`*.iot.example.com`, any depth of subdomain), IP addresses and CIDRs (`10.20.0.0/16`, `fd00::/8`).
 * A name is allowed when it matches a host entry or is an address inside a listed one; every address it resolves
 * to must then be public or private unicast, or itself listed: loopback, link-local (cloud metadata), unspecified
 * and multicast addresses are reached only when an address entry covers them, so a name cannot be rebound to them.
 */
export type ProbeTargetPolicy = {
  entries: string[];
  /** Null when `host` may be probed, otherwise why not. */
  refuseHost(host: string): string | null;
  /** Null when the probe may connect to `address`, otherwise why not. */
  refuseAddress(address: string): string | null;
};

const SPECIAL_RANGES: readonly [string, number, "ipv4" | "ipv6"][] = [
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["0.0.0.0", 8, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["255.255.255.255", 32, "ipv4"],
  ["::1", 128, "ipv6"],
  ["::", 128, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
];

export class ProbeTargetsConfigError extends Error {}

export function createProbeTargetPolicy(entries: readonly string[]): ProbeTargetPolicy {
  const listed = new BlockList();
  const hostPatterns: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (net.isIP(entry.split("/", 1)[0] ?? "")) {
      if (!addAddressEntry(listed, entry)) throw new ProbeTargetsConfigError(`LINKSCOPE_PROBE_TARGETS: "${raw}" is not a valid CIDR.`);
    } else if (/^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(entry)) {
      hostPatterns.push(entry);
    } else {
      throw new ProbeTargetsConfigError(
        `LINKSCOPE_PROBE_TARGETS: "${raw}" is neither a host name, a *.domain pattern, an IP address nor a CIDR.`,
      );
    }
  }
  const special = new BlockList();
  for (const [address, bits, type] of SPECIAL_RANGES) special.addSubnet(address, bits, type);

  const isListedAddress = (address: string) => listHoldsAddress(listed, address);
  const matchesHostPattern = (host: string) =>
    hostPatterns.some((pattern) =>
      pattern.startsWith("*.") ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern,
    );

  return {
    entries: [...entries],
    refuseHost(host) {
      const name = host.toLowerCase().replace(/\.$/, "");
      if (net.isIP(name) ? isListedAddress(name) : matchesHostPattern(name)) return null;
      return entries.length === 0
        ? "no probe targets are configured (LINKSCOPE_PROBE_TARGETS)"
        : `${host} is not in LINKSCOPE_PROBE_TARGETS`;
    },
    refuseAddress(address) {
      if (isListedAddress(address)) return null;
      const normalized = normalizeAddress(address);
      const family = net.isIP(normalized);
      if (family === 0) return "not an IP address";
      if (special.check(normalized, family === 4 ? "ipv4" : "ipv6"))
        return "loopback, link-local, unspecified and multicast addresses are probed only when LINKSCOPE_PROBE_TARGETS lists them";
      return null;
    },
  };
}

/** The configured list, or by default the hosts of the configured sources (the brokers Linkscope already reads). */
export function readProbeTargetEntries(env: Readonly<Record<string, string | undefined>>, sourceUrls: () => string[]): string[] {
  const configured = env.LINKSCOPE_PROBE_TARGETS;
  if (configured !== undefined) return configured.split(/[\s,]+/).filter(Boolean);
  const hosts = new Set<string>();
  for (const url of [...sourceUrls(), ...(env.MQTT_URL ? [env.MQTT_URL] : [])]) {
    try {
      hosts.add(new URL(url).hostname.replace(/^\[(.*)\]$/, "$1"));
    } catch {
      // An unparsable source URL is reported where sources are loaded; it just adds no probe target.
    }
  }
  return [...hosts].filter(Boolean);
}
