import { randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import net, { type Socket } from "node:net";
import tls, { type TLSSocket } from "node:tls";
import { codeForSocketError, connackCode, explainCode } from "./probe-explanations.ts";
import {
  PROBE_STEP_NAMES,
  type ProbeOptions,
  type ProbeReport,
  type ProbeRunner,
  type ProbeStep,
  type ProbeStepName,
  type ProbeTarget,
} from "./probe-report.ts";
import { parseProbeTarget, usesTls } from "./probe-target.ts";
import { MqttWire, WireClosedError, WireTimeoutError, type WireEnd } from "./mqtt-wire.ts";
import { assessTlsSession, describeCertificateChain, type TlsFlag } from "./tls-chain.ts";
import { formatMqtt5Code } from "@/lib/events/mqtt5-code.ts";

export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
const MAX_ADDRESSES = 8;

type StepResult = Omit<ProbeStep, "name" | "durationMs">;
type Connection = { socket: Socket; address: string };

/**
 * Tests one broker endpoint step by step: DNS, TCP to every address, TLS, MQTT CONNECT, a PINGREQ round trip and,
 * when asked, a publish/subscribe round trip and a silent idle hold. Each step is timed and bounded by
 * `stepTimeoutMs`; the first failure skips the steps that depend on it. Credentials never enter the report.
 */
export const runProbe: ProbeRunner = async (options) => runProbeWithPolicy(options);

export type AddressPolicy = (address: string) => string | null;

/** `runProbe` plus a check on every resolved address (the server-side allow-list), applied to the addresses it connects to. */
export async function runProbeWithPolicy(options: ProbeOptions, refuseAddress?: AddressPolicy): Promise<ProbeReport> {
  const startedAt = new Date();
  const parsed = parseProbeTarget(options.url, options.mqttVersion ?? 4);
  const { urlUsername, urlPassword, ...target } = parsed;
  const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const steps = new Map<ProbeStepName, ProbeStep>();
  const credentials = { username: options.username ?? urlUsername ?? undefined, password: options.password ?? urlPassword ?? undefined };
  const secret = credentials.password;

  async function step(name: ProbeStepName, run: () => Promise<StepResult>): Promise<ProbeStep> {
    const started = performance.now();
    let result: StepResult;
    try {
      result = await run();
    } catch (error) {
      result = failure(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`, null, null);
    }
    const done: ProbeStep = { name, durationMs: Math.round(performance.now() - started), ...redact(result, secret) };
    steps.set(name, done);
    return done;
  }

  const connections: Connection[] = [];
  let wire: MqttWire | null = null;
  try {
    const refuse: AddressPolicy = (address) => refuseAddress?.(address) ?? options.refuseAddress?.(address) ?? null;
    const dns = await step("dns", () => resolveHost(target.host, timeoutMs, refuse));
    const addresses = (dns.details.addresses as { address: string }[] | undefined)?.map((entry) => entry.address) ?? [];
    if (dns.status !== "pass" || aborted(options)) return finish();

    const tcp = await step("tcp", () => connectEveryAddress(addresses, target.port, timeoutMs, connections));
    const chosen = connections[0];
    if (tcp.status !== "pass" || !chosen || aborted(options)) return finish();

    let socket: Socket = chosen.socket;
    if (usesTls(target.protocol)) {
      const secured: { socket: TLSSocket | null } = { socket: null };
      const tlsStep = await step("tls", async () => {
        const outcome = await handshake(chosen.socket, target, options, timeoutMs);
        secured.socket = outcome.socket;
        return outcome.result;
      });
      if (tlsStep.status !== "pass" || !secured.socket || aborted(options)) return finish();
      socket = secured.socket;
    }

    if (target.protocol === "ws" || target.protocol === "wss") {
      await step("mqtt_connect", async () => ({
        ...skipped("MQTT over WebSocket is not probed at the packet level; DNS, TCP and TLS above apply to it."),
        status: "skipped",
      }));
      return finish();
    }

    wire = new MqttWire(socket, target.mqttVersion);
    const activeWire = wire;
    const clientId = options.clientId ?? `linkscope-probe-${randomBytes(4).toString("hex")}`;
    const keepaliveSeconds = options.idleSeconds ? Math.min(65_535, options.idleSeconds + 60) : 60;
    const connect = await step("mqtt_connect", () =>
      connectMqtt(activeWire, { clientId, keepaliveSeconds, ...credentials, version: target.mqttVersion }, timeoutMs, options.signal),
    );
    if (connect.status !== "pass" || aborted(options)) return finish();

    const ping = await step("ping", () => pingRoundTrip(activeWire, timeoutMs, options.signal));
    if (ping.status !== "pass" || aborted(options)) return finish();

    if (options.pubSub) {
      const topic = `linkscope/probe/${randomBytes(6).toString("hex")}`;
      const pubsub = await step("pubsub", () => publishSubscribeRoundTrip(activeWire, topic, timeoutMs, options.signal));
      if (pubsub.status !== "pass" || aborted(options)) return finish();
    }
    if (options.idleSeconds && options.idleSeconds > 0) {
      await step("idle", () => holdIdle(activeWire, options.idleSeconds ?? 0, timeoutMs, options.signal));
    }
    if (!activeWire.end) activeWire.send({ cmd: "disconnect" });
    return finish();
  } finally {
    wire?.destroy();
    for (const connection of connections) connection.socket.destroy();
  }

  function finish(): ProbeReport {
    const ordered = PROBE_STEP_NAMES.map((name) => steps.get(name) ?? skippedStep(name, options, target));
    return {
      version: 1,
      target: target satisfies ProbeTarget,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ok: ordered.every((s) => s.status !== "fail"),
      steps: ordered,
    };
  }
}

function aborted(options: ProbeOptions): boolean {
  return options.signal?.aborted ?? false;
}

function skippedStep(name: ProbeStepName, options: ProbeOptions, target: ProbeTarget): ProbeStep {
  const why =
    name === "tls" && !usesTls(target.protocol)
      ? `Not used: ${target.protocol}:// is not encrypted.`
      : name === "pubsub" && !options.pubSub
        ? "Not asked for (publish/subscribe round trip)."
        : name === "idle" && !options.idleSeconds
          ? "Not asked for (idle hold)."
          : aborted(options)
            ? "Stopped before this step."
            : "Not reached: an earlier step failed.";
  return { name, ...skipped(why), durationMs: null };
}

function skipped(summary: string): StepResult {
  return { status: "skipped", summary, explanation: null, code: null, flags: [], details: {} };
}

function pass(summary: string, details: Record<string, unknown> = {}, flags: string[] = [], explanation: string | null = null): StepResult {
  return { status: "pass", summary, explanation, code: null, flags, details };
}

function failure(
  summary: string,
  code: string | null,
  explanation: string | null,
  details: Record<string, unknown> = {},
  flags: string[] = [],
): StepResult {
  return { status: "fail", summary, explanation: explanation ?? (code ? explainCode(code) : null), code, flags, details };
}

/** A server that echoes a credential back in an error text must not put it in the report. */
function redact(result: StepResult, secret: string | undefined): StepResult {
  if (!secret || secret.length < 3) return result;
  const text = JSON.stringify(result);
  if (!text.includes(secret)) return result;
  return JSON.parse(text.split(secret).join("[redacted]")) as StepResult;
}

async function resolveHost(host: string, timeoutMs: number, refuseAddress?: AddressPolicy): Promise<StepResult> {
  const family = net.isIP(host);
  let addresses: { address: string; family: number }[];
  if (family) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = await withTimeout(lookup(host, { all: true, verbatim: true }), timeoutMs, "ETIMEDOUT");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "ERROR";
      const summary =
        code === "ETIMEDOUT"
          ? `Resolving ${host} took longer than ${timeoutMs} ms.`
          : code === "ENOTFOUND"
            ? `${host} does not resolve (${code}).`
            : `Resolving ${host} failed (${code}).`;
      const knowledgeCode = codeForSocketError(code === "ETIMEDOUT" ? "EAI_AGAIN" : code);
      const lead = `Check the host name for typos and that the DNS server of the network the probe ran on answers for it (nslookup ${host}).`;
      return failure(summary, knowledgeCode, knowledgeCode ? explainCode(knowledgeCode, lead) : lead, { host, error: code });
    }
  }
  const unique = addresses
    .filter((entry, index) => addresses.findIndex((other) => other.address === entry.address) === index)
    .slice(0, MAX_ADDRESSES);
  for (const { address } of unique) {
    const refusal = refuseAddress?.(address);
    if (refusal)
      return failure(
        `${host} resolves to ${address}, which this server may not probe: ${refusal}.`,
        null,
        "Probes run from the server reach only the targets the operator allowed (LINKSCOPE_PROBE_TARGETS; scheduled probes also public addresses and LINKSCOPE_OUTBOUND_ALLOW); every address a name resolves to must be allowed. Run the CLI (npm run probe) on the device's network instead.",
        { host, addresses: unique, refused: address },
        ["target_not_allowed"],
      );
  }
  const summary = family
    ? `${host} is an IP address; no lookup needed.`
    : `${host} resolves to ${unique.map((entry) => entry.address).join(", ")}.`;
  return pass(summary, { host, addresses: unique });
}

function withTimeout<T>(promise: Promise<T>, ms: number, code: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(code), { code })), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

type TcpAttempt = { address: string; ok: boolean; durationMs: number; error?: string };

async function connectEveryAddress(addresses: string[], port: number, timeoutMs: number, connections: Connection[]): Promise<StepResult> {
  const attempts = await Promise.all(addresses.map((address) => connectTcp(address, port, timeoutMs)));
  const results: TcpAttempt[] = attempts.map((attempt) => attempt.result);
  for (const attempt of attempts) if (attempt.socket) connections.push({ socket: attempt.socket, address: attempt.result.address });
  for (const extra of connections.splice(1)) extra.socket.destroy();
  const connected = results.filter((result) => result.ok);
  if (connected.length === 0) {
    const error = results[0]?.error;
    const summary = `No address accepted a TCP connection on port ${port}: ${results.map((result) => `${result.address} ${result.error ?? "failed"}`).join(", ")}.`;
    const lead =
      error === "ECONNREFUSED"
        ? "Nothing listens on that port at that address (or a firewall rejects it)."
        : error === "ETIMEDOUT"
          ? "The connection attempt got no answer: a firewall drops the packets or the path is dead."
          : undefined;
    const code = codeForSocketError(error);
    return failure(summary, code, code ? explainCode(code, lead) : (lead ?? null), { port, attempts: results });
  }
  const flags = connected.length < results.length ? ["some_addresses_unreachable"] : [];
  const first = connected[0];
  return pass(
    `Connected to ${first?.address}:${port} in ${first?.durationMs} ms${flags.length ? `; ${results.length - connected.length} of ${results.length} addresses failed` : ""}.`,
    { port, attempts: results, used: first?.address },
    flags,
  );
}

function connectTcp(address: string, port: number, timeoutMs: number): Promise<{ result: TcpAttempt; socket: Socket | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const elapsed = () => Math.round(performance.now() - started);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ result: { address, ok: false, durationMs: elapsed(), error: "ETIMEDOUT" }, socket: null });
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      // Later errors surface through the TLS socket or the MQTT wire; an unheard one must not crash the process.
      socket.removeAllListeners("error");
      socket.on("error", () => undefined);
      resolve({ result: { address, ok: true, durationMs: elapsed() }, socket });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: { address, ok: false, durationMs: elapsed(), error: error.code ?? error.message }, socket: null });
    });
  });
}

const TLS_FLAG_TEXT: Record<TlsFlag, string> = {
  certificate_expired: "A certificate in the chain has expired (or the clock of the machine that ran the probe is wrong).",
  certificate_not_yet_valid: "A certificate in the chain is not valid yet: check the device clock (NTP).",
  self_signed: "The server presents a self-signed certificate: devices trust it only if it is in their CA bundle.",
  host_name_not_in_sans:
    "The host name is not among the certificate's subject alternative names: devices that check names refuse it (wrong URL, or a legacy endpoint).",
  tls_version_below_1_2: "The negotiated TLS version is below 1.2: most IoT platforms refuse it and some networks reset it.",
  chain_to_retiring_root:
    "The chain ends at a root that is being retired: devices that only trust the new root will fail after the switch, and devices that only trust the old root fail on the new endpoint.",
  certificate_expires_soon: "The server certificate expires within 14 days.",
};
const FAILING_TLS_FLAGS: readonly TlsFlag[] = ["certificate_expired", "certificate_not_yet_valid", "host_name_not_in_sans"];

function handshake(
  tcp: Socket,
  target: ProbeTarget,
  options: ProbeOptions,
  timeoutMs: number,
): Promise<{ result: StepResult; socket: TLSSocket | null }> {
  const servername = options.servername ?? (net.isIP(target.host) ? undefined : target.host);
  const nameToCheck = options.servername ?? target.host;
  return new Promise((resolve) => {
    const socket = tls.connect({
      socket: tcp,
      servername,
      ca: options.caPem,
      cert: options.certPem,
      key: options.keyPem,
      // Verification is done below so that a bad certificate is described rather than just refused.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({
        result: failure(
          `The TLS handshake did not finish within ${timeoutMs} ms.`,
          "crt:1067",
          "A TLS handshake that stalls usually means a non-TLS service on the port, or a middlebox that swallows the ClientHello.",
          { servername },
        ),
        socket: null,
      });
    }, timeoutMs);
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reset = error.code === "ECONNRESET";
      const summary = reset ? "The connection was reset during the TLS handshake." : `The TLS handshake failed: ${error.message}.`;
      const code = reset ? "clearblade:tls-handshake-reset" : "crt:1029";
      resolve({
        result: failure(
          summary,
          code,
          explainCode(
            code,
            reset
              ? "A reset during the handshake points at a TLS version the server refuses, deep packet inspection, or a load balancer."
              : "The server refused the handshake: wrong CA, protocol version, SNI, or a required client certificate.",
          ),
          { servername, error: error.code ?? error.message },
        ),
        socket: null,
      });
    });
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.on("error", () => undefined);
      const chain = describeCertificateChain(socket.getPeerCertificate(true));
      const protocol = socket.getProtocol();
      const cipher = socket.getCipher();
      const assessment = assessTlsSession({ protocol, chain, host: nameToCheck, now: new Date() });
      const details = {
        servername: servername ?? null,
        protocol,
        cipher: cipher.standardName ?? cipher.name,
        chain,
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ?? null,
        alpn: socket.alpnProtocol || null,
        clientCertificate: Boolean(options.certPem),
        retiringRoot: assessment.retiringRoot,
      };
      const notes = assessment.flags.map((flag) => TLS_FLAG_TEXT[flag]).join(" ") || null;
      const verificationError = socket.authorized ? null : String(socket.authorizationError ?? "UNKNOWN");
      const failingFlag = assessment.flags.find((flag) => FAILING_TLS_FLAGS.includes(flag));
      if (verificationError || failingFlag) {
        const code = verificationError
          ? tlsErrorCode(verificationError)
          : failingFlag === "host_name_not_in_sans"
            ? "agent:ERR_TLS_CERT_ALTNAME_INVALID"
            : failingFlag === "certificate_expired"
              ? "agent:CERT_HAS_EXPIRED"
              : null;
        const why = verificationError ?? failingFlag ?? "";
        resolve({
          result: failure(
            `${protocol ?? "TLS"} handshake completed but the certificate is not trusted (${why}).`,
            code,
            code ? explainCode(code, notes ?? undefined) : notes,
            details,
            assessment.flags,
          ),
          socket: null,
        });
        socket.destroy();
        return;
      }
      resolve({
        result: pass(
          `${protocol} with ${details.cipher}; certificate for ${chain[0]?.subject ?? "?"} issued by ${chain[0]?.issuer ?? "?"} is trusted.`,
          details,
          assessment.flags,
          notes,
        ),
        socket,
      });
    });
  });
}

function tlsErrorCode(authorizationError: string): string | null {
  return codeForSocketError(authorizationError) ?? "crt:1029";
}

type ConnectInput = {
  clientId: string;
  keepaliveSeconds: number;
  username?: string | undefined;
  password?: string | undefined;
  version: 4 | 5;
};

async function connectMqtt(wire: MqttWire, input: ConnectInput, timeoutMs: number, signal?: AbortSignal): Promise<StepResult> {
  const auth = input.password !== undefined ? "password" : input.username !== undefined ? "username" : "none";
  const details: Record<string, unknown> = {
    protocolVersion: input.version,
    clientId: input.clientId,
    keepaliveSeconds: input.keepaliveSeconds,
    auth,
    username: input.username ?? null,
  };
  try {
    wire.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: input.version,
      clean: true,
      clientId: input.clientId,
      keepalive: input.keepaliveSeconds,
      ...(input.username !== undefined ? { username: input.username } : {}),
      ...(input.password !== undefined ? { password: Buffer.from(input.password, "utf8") } : {}),
    });
  } catch (error) {
    return failure(
      `The CONNECT packet could not be built: ${(error as Error).message}.`,
      null,
      "MQTT 3.1.1 needs a user name whenever a password is given.",
      details,
    );
  }
  try {
    const connack = await wire.next("connack", timeoutMs, signal);
    const value = (input.version === 5 ? connack.reasonCode : connack.returnCode) ?? 0;
    const code = connackCode(input.version, value);
    Object.assign(details, { connackCode: value, code, sessionPresent: connack.sessionPresent, properties: connack.properties ?? null });
    if (value === 0) return pass(`CONNACK ${value}: connection accepted (MQTT ${input.version === 5 ? "5" : "3.1.1"}).`, details);
    return failure(
      `CONNACK ${value}: the broker refused the connection.`,
      code,
      explainCode(code, refusalLead(input.version, value)),
      details,
    );
  } catch (error) {
    return describeWireFailure(error, "CONNACK", details, "agent:CONNACK_TIMEOUT", "agent:CLOSED_BEFORE_CONNACK");
  }
}

/** What to try for the common refusals, before the knowledge base's meaning of the code. */
function refusalLead(version: 4 | 5, value: number): string | undefined {
  const credentials = version === 5 ? [0x86, 0x87, 0x8c] : [4, 5];
  const clientId = version === 5 ? [0x85] : [2];
  const protocol = version === 5 ? [0x84] : [1];
  if (credentials.includes(value))
    return "Check the user name and the password or JWT (decode a JWT in /tools/jwt: expiry, audience, algorithm), and whether the broker's ACL or policy lets this client ID connect.";
  if (clientId.includes(value)) return "Check the client ID against the format the platform requires (and that no other device uses it).";
  if (protocol.includes(value))
    return `The broker does not accept MQTT ${version === 5 ? "5" : "3.1.1"}: try the probe with --mqtt ${version === 5 ? "4" : "5"}.`;
  return undefined;
}

function describeWireFailure(
  error: unknown,
  expected: string,
  details: Record<string, unknown>,
  timeoutCode: string,
  closedCode: string,
): StepResult {
  if (error instanceof WireTimeoutError) {
    return failure(
      `No ${expected} arrived (${error.message}).`,
      timeoutCode,
      explainCode(
        timeoutCode,
        "The connection is open but nothing answers: a service that is not MQTT, a stalled broker, or a path that drops packets.",
      ),
      details,
    );
  }
  if (error instanceof WireClosedError) {
    Object.assign(details, { end: error.end });
    return failure(
      `The connection ended before the ${expected}: ${describeEnd(error.end)}.`,
      endCode(error.end, closedCode),
      endExplanation(error.end, closedCode),
      details,
    );
  }
  throw error;
}

function describeEnd(end: WireEnd): string {
  if (end.how === "disconnect") return `the broker sent DISCONNECT with reason ${end.reasonCode ?? 0}`;
  if (end.how === "reset") return "the connection was reset (RST)";
  if (end.how === "error") return `socket error ${end.errorCode ?? ""} ${end.message ?? ""}`.trim();
  return "the peer closed the connection (FIN) without a reason";
}

function endCode(end: WireEnd, fallback: string): string {
  if (end.how === "disconnect" && end.reasonCode !== undefined) return formatMqtt5Code(end.reasonCode);
  if (end.how === "reset") return "agent:ECONNRESET";
  if (end.how === "error" && end.errorCode && /CERTIFICATE_REQUIRED|ALERT/.test(end.errorCode)) return "crt:1032";
  return codeForSocketError(end.errorCode) ?? fallback;
}

function endExplanation(end: WireEnd, fallback: string): string {
  if (end.errorCode && /CERTIFICATE_REQUIRED/.test(end.errorCode))
    return explainCode("crt:1032", "The broker requires a client certificate and ended the TLS session: pass --cert and --key.");
  return explainCode(endCode(end, fallback));
}

async function pingRoundTrip(wire: MqttWire, timeoutMs: number, signal?: AbortSignal): Promise<StepResult> {
  const started = performance.now();
  wire.send({ cmd: "pingreq" });
  try {
    await wire.next("pingresp", timeoutMs, signal);
    const roundTripMs = Math.round(performance.now() - started);
    return pass(`PINGRESP after ${roundTripMs} ms.`, { roundTripMs });
  } catch (error) {
    return describeWireFailure(error, "PINGRESP", {}, "agent:KEEPALIVE_TIMEOUT", "agent:CONNECTION_CLOSED");
  }
}

async function publishSubscribeRoundTrip(wire: MqttWire, topic: string, timeoutMs: number, signal?: AbortSignal): Promise<StepResult> {
  const details: Record<string, unknown> = { topic };
  const started = performance.now();
  try {
    wire.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos: 0 }] });
    const suback = await wire.next("suback", timeoutMs, signal);
    const granted = suback.granted[0];
    details.granted = granted;
    if (typeof granted === "number" && granted >= 0x80) {
      const code = wire.protocolVersion === 5 ? connackCode(5, granted) : null;
      return failure(
        `The broker refused the subscription to ${topic} (${granted}).`,
        code,
        "The credentials may not subscribe to this topic: check the broker's ACL or policy for the probe topic.",
        details,
      );
    }
    const payload = randomBytes(8).toString("hex");
    const published = performance.now();
    wire.send({ cmd: "publish", topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false });
    for (;;) {
      const message = await wire.next("publish", Math.max(1, timeoutMs - (performance.now() - published)), signal);
      if (message.topic === topic && message.payload.toString() === payload) break;
    }
    details.roundTripMs = Math.round(performance.now() - published);
    return pass(
      `Published to ${topic} and received it back after ${String(details.roundTripMs)} ms (subscribe took ${Math.round(published - started)} ms).`,
      details,
    );
  } catch (error) {
    return describeWireFailure(error, "message round trip", details, "agent:KEEPALIVE_TIMEOUT", "agent:CONNECTION_CLOSED");
  }
}

async function holdIdle(wire: MqttWire, idleSeconds: number, timeoutMs: number, signal?: AbortSignal): Promise<StepResult> {
  const started = Date.now();
  await wire.holdSilent(idleSeconds * 1000, signal);
  const heldSeconds = Math.round((Date.now() - started) / 1000);
  const end = wire.end;
  if (end) {
    const afterSeconds = Math.round((end.at - started) / 1000);
    const details = { idleSeconds, diedAfterSeconds: afterSeconds, end };
    const lead = `Silent for ${afterSeconds} s, the connection ended: ${describeEnd(end)}.`;
    const idleCode = afterSeconds >= 1140 && afterSeconds <= 1260 ? "clearblade:idle-timeout" : endCode(end, "agent:CONNECTION_CLOSED");
    return failure(
      lead,
      idleCode,
      explainCode(
        idleCode,
        "An idle connection that dies at a fixed age points at the broker's idle timeout or a NAT/firewall that forgets idle flows: send a PINGREQ (keepalive) well within that time.",
      ),
      details,
    );
  }
  if (signal?.aborted)
    return { ...skipped(`Stopped after ${heldSeconds} s of the ${idleSeconds} s idle hold.`), details: { idleSeconds, heldSeconds } };
  const pinged = Date.now();
  wire.send({ cmd: "pingreq" });
  try {
    await wire.next("pingresp", timeoutMs, signal);
    return pass(`The connection survived ${idleSeconds} s of silence; a PINGREQ afterwards was answered in ${Date.now() - pinged} ms.`, {
      idleSeconds,
    });
  } catch (error) {
    if (error instanceof WireTimeoutError) {
      return failure(
        `After ${idleSeconds} s of silence the connection looks open but a PINGREQ got no answer: the path forgot the idle flow.`,
        "agent:KEEPALIVE_TIMEOUT",
        explainCode(
          "agent:KEEPALIVE_TIMEOUT",
          "A NAT or firewall dropped the idle flow without telling either side. Set the device keepalive below that idle time (for most NATs, under 300 s).",
        ),
        { idleSeconds, silentDeath: true },
      );
    }
    return describeWireFailure(
      error,
      "PINGRESP after the idle hold",
      { idleSeconds },
      "agent:KEEPALIVE_TIMEOUT",
      "agent:CONNECTION_CLOSED",
    );
  }
}
