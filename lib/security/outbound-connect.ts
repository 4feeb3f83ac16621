import { promises as dns, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { OutboundPolicy } from "./outbound-policy.ts";

/** The target is refused by the outbound policy: final, not worth retrying. */
export class OutboundRefusedError extends Error {
  readonly code = "EOUTBOUNDREFUSED";
}

export class OutboundTimeoutError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * Resolves `host` once and checks every address it resolves to (a name cannot mix a public address with a
 * forbidden one); the caller connects to these very addresses, so a second lookup cannot rebind the name.
 */
export async function resolveOutboundAddresses(host: string, policy: OutboundPolicy): Promise<LookupAddress[]> {
  const name = host.replace(/^\[(.*)\]$/, "$1");
  const family = net.isIP(name);
  const addresses = family ? [{ address: name, family }] : await dns.lookup(name, { all: true, verbatim: true });
  if (addresses.length === 0) throw new OutboundRefusedError(`${host} resolves to no address`);
  for (const { address } of addresses) {
    const refusal = policy.refuseAddress(address);
    // The refusal names the address; a host that is that address is not named twice.
    if (refusal) throw new OutboundRefusedError(family ? refusal : `${host}: ${refusal}`);
  }
  return addresses;
}

/**
 * Why a connection to `host` would be refused today, or null. For early feedback when a target is saved: a name that
 * does not resolve now (or not within `timeoutMs`) is not refused here, and the connect-time check stays the one that counts.
 */
export async function refuseOutboundHost(host: string, policy: OutboundPolicy, timeoutMs = 2_000): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const check = resolveOutboundAddresses(host, policy).then(
    () => null,
    (error: unknown) => (error instanceof OutboundRefusedError ? error.message : null),
  );
  const slowLookup = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    return await Promise.race([check, slowLookup]);
  } finally {
    clearTimeout(timer);
  }
}

/** A `lookup` for http.request / net.connect: the socket connects only to addresses the policy allowed. */
export function checkedLookup(policy: OutboundPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    resolveOutboundAddresses(hostname, policy).then(
      (addresses) => {
        const [first] = addresses;
        if (options.all) (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
        else callback(null, first?.address ?? "", first?.family ?? 4);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 4),
    );
  };
}

/**
 * One POST of a JSON body through the policy; answers the status only. Redirects are not followed, the response
 * body is never read (nothing of it can reach a user, and a huge one costs nothing) and the whole exchange is
 * bounded by `timeoutMs`.
 */
export async function postJsonOutbound(
  url: string,
  input: { headers: Record<string, string>; body: unknown; timeoutMs: number; policy: OutboundPolicy },
): Promise<{ status: number }> {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new OutboundRefusedError("not an http(s) URL");
  // An IP literal is connected to without a lookup: check it here.
  await resolveOutboundAddresses(target.hostname, input.policy);
  const payload = Buffer.from(JSON.stringify(input.body));
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: "POST",
        headers: { ...input.headers, "content-length": String(payload.length) },
        lookup: checkedLookup(input.policy),
        agent: false,
      },
      (response) => {
        resolve({ status: response.statusCode ?? 0 });
        response.destroy();
      },
    );
    const timer = setTimeout(() => request.destroy(new OutboundTimeoutError(input.timeoutMs)), input.timeoutMs);
    request.on("error", reject);
    request.on("close", () => clearTimeout(timer));
    request.end(payload);
  });
}
