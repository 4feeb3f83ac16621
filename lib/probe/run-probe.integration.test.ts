import net from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCertificateAuthority, type TestCertificateAuthority } from "@/lib/testing/test-certificates.ts";
import { findFreePort, startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import type { ProbeReport, ProbeStepName } from "./probe-report.ts";
import { ProbeReportSchema } from "./probe-report.ts";
import { runProbe } from "./run-probe.ts";

const PASSWORD = "probe-Secret-4711";
const stepOf = (report: ProbeReport, name: ProbeStepName) => {
  const found = report.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no ${name} step`);
  return found;
};

describe("runProbe against real brokers", () => {
  let ca: TestCertificateAuthority;
  const brokers: TestMosquitto[] = [];
  const servers: net.Server[] = [];
  let plain: TestMosquitto;
  const tlsBroker = async (listenerOptions: string[]) => {
    const broker = await startTestMosquitto({ listenerOptions: [`cafile ${ca.certFile}`, ...listenerOptions] });
    brokers.push(broker);
    return broker;
  };

  beforeAll(async () => {
    ca = createTestCertificateAuthority();
    plain = await startTestMosquitto({ users: { probe: PASSWORD } });
    brokers.push(plain);
  });
  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    for (const server of servers) server.close();
    ca.remove();
  });

  it.each([4, 5] as const)(
    "passes every step with the right password over MQTT %s, and the report never holds the password",
    async (mqttVersion) => {
      const report = await runProbe({ url: plain.url, username: "probe", password: PASSWORD, mqttVersion, pubSub: true, idleSeconds: 1 });
      expect(ProbeReportSchema.parse(report)).toEqual(report);
      expect(report.steps.map((s) => [s.name, s.status])).toEqual([
        ["dns", "pass"],
        ["tcp", "pass"],
        ["tls", "skipped"],
        ["mqtt_connect", "pass"],
        ["ping", "pass"],
        ["pubsub", "pass"],
        ["idle", "pass"],
      ]);
      expect(report.ok).toBe(true);
      expect(stepOf(report, "mqtt_connect").details).toMatchObject({ connackCode: 0, protocolVersion: mqttVersion, auth: "password" });
      expect(JSON.stringify(report)).not.toContain(PASSWORD);
    },
  );

  it("reports a wrong password as a refused CONNACK with its knowledge-base code, in 3.1.1 and 5", async () => {
    const v4 = await runProbe({ url: plain.url, username: "probe", password: "wrong-password", mqttVersion: 4 });
    const connect4 = stepOf(v4, "mqtt_connect");
    expect(v4.ok).toBe(false);
    expect(connect4.status).toBe("fail");
    expect(["connack:4", "connack:5"]).toContain(connect4.code);
    expect(connect4.explanation).toMatch(/not authorized|bad user name/i);
    expect(stepOf(v4, "ping").status).toBe("skipped");

    const v5 = await runProbe({ url: plain.url, username: "probe", password: "wrong-password", mqttVersion: 5 });
    expect(["mqtt5:0x86", "mqtt5:0x87"]).toContain(stepOf(v5, "mqtt_connect").code);
    expect(JSON.stringify([v4, v5])).not.toContain("wrong-password");
  });

  it("describes a valid chain on a TLS 1.3-only listener", async () => {
    const server = ca.issue("valid", { commonName: "localhost", subjectAltNames: ["IP:127.0.0.1", "DNS:localhost"] });
    const broker = await tlsBroker([`certfile ${server.certFile}`, `keyfile ${server.keyFile}`, "tls_version tlsv1.3"]);
    const report = await runProbe({ url: `mqtts://127.0.0.1:${broker.port}`, caPem: ca.certPem });
    const tls = stepOf(report, "tls");
    expect(tls.status).toBe("pass");
    expect(tls.details).toMatchObject({ protocol: "TLSv1.3", authorized: true });
    const chain = tls.details.chain as { subject: string; issuer: string; subjectAltNames: string[] }[];
    expect(chain[0]).toMatchObject({
      subject: "CN=localhost",
      issuer: "CN=Linkscope Test CA",
      subjectAltNames: ["IP Address:127.0.0.1", "DNS:localhost"],
    });
    expect(tls.flags).not.toContain("tls_version_below_1_2");
    expect(stepOf(report, "mqtt_connect").status).toBe("pass");
    expect(report.ok).toBe(true);
  });

  it.each([
    {
      name: "wrong host name",
      make: () => ca.issue("wrong-host", { commonName: "wrong.example", subjectAltNames: ["DNS:wrong.example"] }),
      flag: "host_name_not_in_sans",
      code: "agent:ERR_TLS_CERT_ALTNAME_INVALID",
    },
    {
      name: "expired",
      make: () =>
        ca.issue("expired", {
          commonName: "localhost",
          subjectAltNames: ["IP:127.0.0.1"],
          notBefore: new Date("2020-01-01"),
          notAfter: new Date("2021-01-01"),
        }),
      flag: "certificate_expired",
      code: "agent:CERT_HAS_EXPIRED",
    },
    {
      name: "not yet valid",
      make: () =>
        ca.issue("future", {
          commonName: "localhost",
          subjectAltNames: ["IP:127.0.0.1"],
          notBefore: new Date(Date.now() + 365 * 86_400_000),
          notAfter: new Date(Date.now() + 400 * 86_400_000),
        }),
      flag: "certificate_not_yet_valid",
      code: "crt:1029",
    },
    {
      name: "self-signed",
      make: () => ca.selfSigned("self", { commonName: "localhost", subjectAltNames: ["IP:127.0.0.1"] }),
      flag: "self_signed",
      code: "agent:DEPTH_ZERO_SELF_SIGNED_CERT",
    },
  ])("fails TLS for a $name certificate and flags it", async ({ make, flag, code }) => {
    const server = make();
    const broker = await tlsBroker([`certfile ${server.certFile}`, `keyfile ${server.keyFile}`]);
    const report = await runProbe({ url: `mqtts://127.0.0.1:${broker.port}`, caPem: ca.certPem });
    const tls = stepOf(report, "tls");
    expect(tls.status).toBe("fail");
    expect(tls.flags).toContain(flag);
    expect(tls.code).toBe(code);
    expect(tls.explanation).toBeTruthy();
    expect(stepOf(report, "mqtt_connect").status).toBe("skipped");
  });

  it("fails without a client certificate where one is required, and passes with it", async () => {
    const server = ca.issue("mtls-server", { commonName: "localhost", subjectAltNames: ["IP:127.0.0.1"] });
    const client = ca.issue("mtls-client", { commonName: "probe-device", subjectAltNames: [], clientAuth: true });
    const broker = await tlsBroker([`certfile ${server.certFile}`, `keyfile ${server.keyFile}`, "require_certificate true"]);
    const url = `mqtts://127.0.0.1:${broker.port}`;

    const without = await runProbe({ url, caPem: ca.certPem });
    expect(without.ok).toBe(false);
    const failed = without.steps.find((s) => s.status === "fail");
    expect(failed?.name === "tls" || failed?.name === "mqtt_connect").toBe(true);
    expect(failed?.explanation).toMatch(/certificate/i);

    const withCert = await runProbe({ url, caPem: ca.certPem, certPem: client.certPem, keyPem: client.keyPem });
    expect(withCert.ok).toBe(true);
    expect(stepOf(withCert, "tls").details).toMatchObject({ clientCertificate: true });
  });

  it("reports a port that accepts and closes, and one that never answers, each bounded by stepTimeoutMs", async () => {
    const closing = await listen((socket) => socket.destroy());
    const closed = await runProbe({ url: `mqtt://127.0.0.1:${closing}`, stepTimeoutMs: 5_000 });
    expect(stepOf(closed, "tcp").status).toBe("pass");
    expect(stepOf(closed, "mqtt_connect")).toMatchObject({
      status: "fail",
      code: expect.stringMatching(/^agent:(CLOSED_BEFORE_CONNACK|ECONNRESET)$/),
    });

    const silent = await listen(() => undefined);
    const stalled = await runProbe({ url: `mqtt://127.0.0.1:${silent}`, stepTimeoutMs: 1_000 });
    const connect = stepOf(stalled, "mqtt_connect");
    expect(connect).toMatchObject({ status: "fail", code: "agent:CONNACK_TIMEOUT" });
    expect(connect.durationMs).toBeGreaterThanOrEqual(950);
  });

  it("reports a name that does not resolve and a refused port", async () => {
    const report = await runProbe({ url: "mqtt://linkscope-probe-test.invalid:1883" });
    expect(stepOf(report, "dns")).toMatchObject({ status: "fail", code: "agent:ENOTFOUND" });
    expect(stepOf(report, "tcp").status).toBe("skipped");

    const refused = await runProbe({ url: `mqtt://127.0.0.1:${await findFreePort()}` });
    expect(stepOf(refused, "tcp")).toMatchObject({ status: "fail", code: "agent:ECONNREFUSED" });
  });

  it("reports when and how an idle connection died: closed by the broker, or silently forgotten", async () => {
    // 2.5 s of silence, not 0.5: at load 15+ the probe can take over 0.5 s from the ping step's answer to the idle step,
    // and a close before the idle step began made the step "skipped" instead of showing how the connection died.
    const closesWhenIdle = await fakeBroker({ closeAfterIdleMs: 2_500 });
    const closed = await runProbe({ url: `mqtt://127.0.0.1:${closesWhenIdle}`, idleSeconds: 5 });
    const idle = stepOf(closed, "idle");
    expect(idle.status).toBe("fail");
    expect(idle.details).toMatchObject({ idleSeconds: 5, end: { how: "closed" } });
    expect(idle.details.diedAfterSeconds).toBeLessThan(5);

    const forgets = await fakeBroker({ answerPingsAfterIdle: false });
    const silent = await runProbe({ url: `mqtt://127.0.0.1:${forgets}`, idleSeconds: 1, stepTimeoutMs: 2_000 });
    expect(stepOf(silent, "idle")).toMatchObject({ status: "fail", code: "agent:KEEPALIVE_TIMEOUT", details: { silentDeath: true } });
  });

  async function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
    const server = net.createServer(onConnection);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as net.AddressInfo).port;
  }

  /** Answers CONNECT and PINGREQ; then either closes after a silence or stops answering (a NAT that forgot the flow). */
  function fakeBroker(behaviour: { closeAfterIdleMs?: number; answerPingsAfterIdle?: boolean }): Promise<number> {
    return listen((socket) => {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      let pings = 0;
      let idleTimer: NodeJS.Timeout | undefined;
      const send = (packet: Packet) => socket.write(mqttPacket.generate(packet));
      socket.on("error", () => undefined);
      parser.on("packet", (packet: Packet) => {
        clearTimeout(idleTimer);
        if (behaviour.closeAfterIdleMs) idleTimer = setTimeout(() => socket.end(), behaviour.closeAfterIdleMs);
        if (packet.cmd === "connect") send({ cmd: "connack", returnCode: 0, sessionPresent: false });
        if (packet.cmd === "pingreq") {
          pings += 1;
          if (pings === 1 || behaviour.answerPingsAfterIdle !== false) send({ cmd: "pingresp" });
        }
      });
      socket.on("data", (chunk: Buffer) => parser.parse(chunk));
    });
  }
});
