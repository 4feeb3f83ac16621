import { makeProbeEndpointInput } from "@/lib/testing/factories.ts";
import { randomUUID } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createProbeTargetPolicy } from "@/lib/probe/probe-target-policy.ts";
import { runProbe } from "@/lib/probe/run-probe.ts";
import { createOutboundPolicy } from "@/lib/security/outbound-policy.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { createProbeEndpoint, updateProbeEndpoint } from "./probe-endpoints.ts";
import { runDueProbes } from "./run-due-probes.ts";
import type { ScheduledProbeTargets } from "./scheduled-probe-targets.ts";

const testDb = useTestDatabase();
const by = { actor: CLI_ACTOR };

// An operator who listed one broker by name and nothing else: what a default installation looks like.
const DEFAULT_TARGETS: ScheduledProbeTargets = {
  probeTargets: createProbeTargetPolicy(["broker.example.com"]),
  outbound: createOutboundPolicy([]),
};

// A TCP service on loopback standing in for Postgres, Redis or an admin port: it counts who reached it.
let service: net.Server;
let servicePort = 0;
let connections = 0;
beforeAll(async () => {
  service = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", resolve));
  servicePort = (service.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => service.close(() => resolve()));
});

function endpointInput(url: string) {
  return makeProbeEndpointInput({ name: `ssrf-${randomUUID().slice(0, 8)}`, url });
}

describe("scheduled probe endpoints cannot reach what the operator did not allow (SSRF)", () => {
  it.each([
    ["loopback", () => `mqtt://127.0.0.1:${servicePort}`],
    ["loopback by name", () => `mqtt://localhost:${servicePort}`],
    ["loopback as a decimal number", () => "mqtt://2130706433:5432"],
    ["IPv4-mapped loopback", () => `ws://[::ffff:127.0.0.1]:${servicePort}/mqtt`],
    ["IPv6 loopback", () => "mqtts://[::1]:8883"],
    ["cloud metadata", () => "mqtt://169.254.169.254:80"],
    ["a private network", () => "mqtt://10.20.0.5:1883"],
  ])("refuses to save an endpoint at %s", async (_name, url) => {
    const refused = await createProbeEndpoint(testDb.db, endpointInput(url()), by, { targets: DEFAULT_TARGETS }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "probe_target_refused", message: expect.stringMatching(/^url: the server will not probe it: /) });
  });

  it("refuses to move a saved endpoint to loopback, and saves what the operator listed or what is public", async () => {
    const saved = await createProbeEndpoint(testDb.db, endpointInput("mqtts://93.184.216.34:8883"), by, { targets: DEFAULT_TARGETS });
    const moved = await updateProbeEndpoint(testDb.db, saved.id, { url: `mqtt://127.0.0.1:${servicePort}` }, by, {
      targets: DEFAULT_TARGETS,
    }).catch((e: unknown) => e);
    expect(moved).toMatchObject({ code: "probe_target_refused" });

    const listedByProbeTargets = { ...DEFAULT_TARGETS, probeTargets: createProbeTargetPolicy(["127.0.0.1"]) };
    await expect(
      updateProbeEndpoint(testDb.db, saved.id, { url: `mqtt://127.0.0.1:${servicePort}` }, by, { targets: listedByProbeTargets }),
    ).resolves.toMatchObject({ url: `mqtt://127.0.0.1:${servicePort}` });
    // A listed address under a name that resolves to it (a source at 127.0.0.1, the endpoint at localhost).
    await expect(
      createProbeEndpoint(testDb.db, endpointInput(`mqtt://localhost:${servicePort}`), by, { targets: listedByProbeTargets }),
    ).resolves.toMatchObject({ url: `mqtt://localhost:${servicePort}` });
    const listedByOutbound = { ...DEFAULT_TARGETS, outbound: createOutboundPolicy(["10.20.0.0/16"]) };
    await expect(
      createProbeEndpoint(testDb.db, endpointInput("mqtt://10.20.0.5:1883"), by, { targets: listedByOutbound }),
    ).resolves.toMatchObject({ url: "mqtt://10.20.0.5:1883" });
  });

  it("a run never connects to a refused address, even for an endpoint saved before the check existed", async () => {
    // Written straight to the table, as an endpoint saved by an older version would be.
    const endpoint = await testDb.db.probeEndpoint.create({
      data: {
        ...endpointInput(`mqtt://127.0.0.1:${servicePort}`),
        createdBy: "older version",
        nextRunAt: new Date("2040-01-01T00:00:00Z"),
      },
    });
    // The database is this file's own: the endpoints the tests above saved are not part of this run.
    await testDb.db.probeEndpoint.updateMany({ where: { id: { not: endpoint.id } }, data: { enabled: false } });
    const options = { probe: runProbe, runTimeoutMs: 10_000, maxRuns: 10 };
    connections = 0;
    await expect(
      runDueProbes(testDb.db, { ...options, now: new Date("2040-01-01T00:01:00Z"), targets: DEFAULT_TARGETS }),
    ).resolves.toMatchObject({
      runs: 1,
      failed: 1,
    });
    expect(connections).toBe(0);
    const refusedRun = await testDb.db.probeRun.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    expect(refusedRun).toMatchObject({ ok: false, failedStep: "dns" });
    expect(refusedRun.explanation).toContain("LINKSCOPE_OUTBOUND_ALLOW");

    // The same endpoint once the operator lists loopback: the probe connects.
    await testDb.db.probeEndpoint.update({ where: { id: endpoint.id }, data: { nextRunAt: new Date("2041-01-01T00:00:00Z") } });
    const listed = { ...DEFAULT_TARGETS, outbound: createOutboundPolicy(["127.0.0.1"]) };
    await runDueProbes(testDb.db, { ...options, now: new Date("2041-01-01T00:01:00Z"), targets: listed });
    expect(connections).toBe(1);
  });
});
