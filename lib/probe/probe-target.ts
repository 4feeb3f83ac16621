import type { ProbeTarget } from "./probe-report.ts";

const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 } as const;
const SCHEME_ALIASES: Record<string, ProbeTarget["protocol"]> = {
  "mqtt:": "mqtt",
  "tcp:": "mqtt",
  "mqtts:": "mqtts",
  "ssl:": "mqtts",
  "tls:": "mqtts",
  "ws:": "ws",
  "wss:": "wss",
};

export class ProbeUrlError extends Error {}

/** Parses `mqtts://host:8883` and friends; credentials in the URL are dropped from what the report shows. */
export function parseProbeTarget(
  url: string,
  mqttVersion: 4 | 5 = 4,
): ProbeTarget & { urlUsername: string | null; urlPassword: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new ProbeUrlError(`Not a URL: give the broker as mqtt://host:1883 or mqtts://host:8883.`);
  }
  const protocol = SCHEME_ALIASES[parsed.protocol];
  if (!protocol) throw new ProbeUrlError(`Unsupported scheme ${parsed.protocol}: use mqtt://, mqtts://, ws:// or wss://.`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new ProbeUrlError("The URL has no host name.");
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[protocol];
  const urlUsername = parsed.username ? decodeURIComponent(parsed.username) : null;
  const urlPassword = parsed.password ? decodeURIComponent(parsed.password) : null;
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString().replace(/\/$/, ""), host, port, protocol, mqttVersion, urlUsername, urlPassword };
}

export function usesTls(protocol: ProbeTarget["protocol"]): boolean {
  return protocol === "mqtts" || protocol === "wss";
}
