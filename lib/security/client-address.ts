import { BlockList, isIP } from "node:net";

/**
 * The request header that carries the client address our web server resolved from the socket (and from
 * X-Forwarded-For only through configured proxies). The server overwrites whatever a client sent in it.
 */
export const CLIENT_ADDRESS_HEADER = "x-linkscope-client-address";

export type TrustedProxies = { check(address: string): boolean; size: number };

/**
 * LINKSCOPE_TRUSTED_PROXIES: addresses and CIDRs separated by commas or spaces (e.g. `10.0.0.0/8, ::1`).
 * Empty by default: forwarded headers are then ignored and the socket address is the client.
 */
export function parseTrustedProxies(spec: string | undefined): TrustedProxies {
  const list = new BlockList();
  const entries = (spec ?? "").split(/[\s,]+/).filter(Boolean);
  for (const entry of entries) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    if (family === 0 || extra !== undefined) throw new Error(`LINKSCOPE_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const bits = Number(prefix);
    if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128))
      throw new Error(`LINKSCOPE_TRUSTED_PROXIES: "${entry}" has an invalid prefix length`);
    list.addSubnet(address, bits, type);
  }
  return {
    size: entries.length,
    check: (address) => {
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/**
 * The client: the socket's peer, unless that peer is a trusted proxy, in which case X-Forwarded-For is read from
 * the right (each proxy appends the address it saw) and the first address that is not a trusted proxy wins.
 * Entries to the left of it were written by the client and are never believed.
 */
export function resolveClientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trusted: TrustedProxies,
): string | null {
  let client = normalizeAddress(socketAddress);
  if (client === null || trusted.size === 0) return client;
  const joined = typeof forwardedFor === "string" ? forwardedFor : (forwardedFor ?? []).join(",");
  const hops = joined
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  while (trusted.check(client)) {
    const next = normalizeAddress(hops.pop());
    // A trusted proxy that sent no (or a garbled) next hop: the proxy is the best address we know.
    if (next === null) return client;
    client = next;
  }
  return client;
}

/** `::ffff:192.0.2.1` → `192.0.2.1`; `[2001:db8::1]:443` and `192.0.2.1:5000` lose their ports; anything else → null. */
export function normalizeAddress(value: string | undefined): string | null {
  if (!value) return null;
  let address = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) address = mapped[1];
  return isIP(address) === 0 ? null : address.toLowerCase();
}
