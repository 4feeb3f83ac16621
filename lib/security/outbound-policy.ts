import net, { BlockList } from "node:net";

/**
 * Which addresses the server may connect to when a user (an admin configuring an alert channel) supplies the
 * target. Public unicast addresses are allowed; loopback, private, shared (CGNAT), link-local (cloud metadata),
 * unspecified, multicast, reserved and documentation ranges only when the operator lists them (IP addresses or
 * CIDRs) in LINKSCOPE_OUTBOUND_ALLOW. Checked on every address a name resolves to, at connect time (outbound-connect.ts).
 */
export type OutboundPolicy = {
  /** Null when the server may connect to `address`, otherwise why not. */
  refuseAddress(address: string): string | null;
};

export const OUTBOUND_ALLOW_ENV = "LINKSCOPE_OUTBOUND_ALLOW";

const FORBIDDEN_RANGES: readonly [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.0.2.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["198.51.100.0", 24, "ipv4"],
  ["203.0.113.0", 24, "ipv4"],
  ["224.0.0.0", 3, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["64:ff9b::", 96, "ipv6"],
  ["100::", 64, "ipv6"],
  ["2001:db8::", 32, "ipv6"],
  ["2002::", 16, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
];

export class OutboundAllowConfigError extends Error {}

/** Adds an address or CIDR entry to `list`; false when the text is neither. */
export function addAddressEntry(list: BlockList, entry: string): boolean {
  const [address = "", prefix] = entry.trim().toLowerCase().split("/", 2);
  const family = net.isIP(address);
  if (!family) return false;
  const max = family === 4 ? 32 : 128;
  const bits = prefix === undefined ? max : Number(prefix);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return false;
  list.addSubnet(address, bits, family === 4 ? "ipv4" : "ipv6");
  return true;
}

/** `::ffff:127.0.0.1` is 127.0.0.1: check IPv4-mapped IPv6 addresses as the IPv4 address they are. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/** True when `list` holds the (normalized) IP address; false for anything that is not an IP address. */
export function listHoldsAddress(list: BlockList, address: string): boolean {
  const normalized = normalizeAddress(address);
  const family = net.isIP(normalized);
  return family !== 0 && list.check(normalized, family === 4 ? "ipv4" : "ipv6");
}

export function createOutboundPolicy(allowEntries: readonly string[]): OutboundPolicy {
  const allowed = new BlockList();
  for (const entry of allowEntries) {
    if (entry.trim() && !addAddressEntry(allowed, entry))
      throw new OutboundAllowConfigError(`${OUTBOUND_ALLOW_ENV}: "${entry}" is neither an IP address nor a CIDR.`);
  }
  const forbidden = new BlockList();
  for (const [address, bits, type] of FORBIDDEN_RANGES) forbidden.addSubnet(address, bits, type);
  return {
    refuseAddress(address) {
      if (net.isIP(normalizeAddress(address)) === 0) return "not an IP address";
      if (listHoldsAddress(allowed, address)) return null;
      if (listHoldsAddress(forbidden, address))
        return `${normalizeAddress(address)} is a loopback, private, link-local or reserved address, reached only when ${OUTBOUND_ALLOW_ENV} lists it`;
      return null;
    },
  };
}

export function readOutboundPolicy(env: Readonly<Record<string, string | undefined>> = process.env): OutboundPolicy {
  return createOutboundPolicy((env[OUTBOUND_ALLOW_ENV] ?? "").split(/[\s,]+/).filter(Boolean));
}
