import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "@/lib/auth/rate-limiter.ts";
import { RateLimitedError } from "@/lib/errors/domain-errors.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import { createProbeTargetPolicy } from "./probe-target-policy.ts";
import { runServerProbe } from "./run-server-probe.ts";

const PASSWORD = "server-probe-Secret-93";

describe("runServerProbe", () => {
  let broker: TestMosquitto;
  const database = useTestDatabase();
  beforeAll(async () => {
    broker = await startTestMosquitto({ users: { probe: PASSWORD } });
  });
  afterAll(async () => broker.stop());

  let limiters = 0;
  const limiter = (limit = 10) => createRateLimiter(database.db, `probe-test-${++limiters}`, { limit, windowMs: 60_000 });

  it("refuses a host that is not on the allow-list before touching the network", async () => {
    const policy = createProbeTargetPolicy(["broker.example.com"]);
    await expect(
      runServerProbe({ url: `mqtt://127.0.0.1:${broker.port}` }, { userKey: "u1", policy, limiter: limiter() }),
    ).rejects.toMatchObject({ kind: "forbidden", code: "probe_target_not_allowed" });
    await expect(runServerProbe({ url: "ftp://broker.example.com" }, { userKey: "u1", policy, limiter: limiter() })).rejects.toMatchObject({
      kind: "invalid",
    });
  });

  it("refuses a listed name that resolves to loopback (no DNS-rebinding bypass) and connects nowhere", async () => {
    const policy = createProbeTargetPolicy(["localhost"]);
    const report = await runServerProbe({ url: `mqtt://localhost:${broker.port}` }, { userKey: "u2", policy, limiter: limiter() });
    const dns = report.steps.find((step) => step.name === "dns");
    expect(dns).toMatchObject({ status: "fail", flags: ["target_not_allowed"] });
    expect(report.steps.find((step) => step.name === "tcp")?.status).toBe("skipped");
  });

  it("probes a listed address with the given credentials and returns no trace of the password", async () => {
    const policy = createProbeTargetPolicy(["127.0.0.1"]);
    const report = await runServerProbe(
      { url: `mqtt://127.0.0.1:${broker.port}`, username: "probe", password: PASSWORD },
      { userKey: "u3", policy, limiter: limiter() },
    );
    expect(report.ok).toBe(true);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  });

  it("limits probes per user", async () => {
    const policy = createProbeTargetPolicy(["127.0.0.1"]);
    const tight = limiter(1);
    await runServerProbe({ url: `mqtt://127.0.0.1:${broker.port}` }, { userKey: "u4", policy, limiter: tight });
    const second = runServerProbe({ url: `mqtt://127.0.0.1:${broker.port}` }, { userKey: "u4", policy, limiter: tight });
    await expect(second).rejects.toBeInstanceOf(RateLimitedError);
    await expect(second).rejects.toMatchObject({ kind: "rate_limited", code: "rate_limited" });
    await expect(
      runServerProbe({ url: `mqtt://127.0.0.1:${broker.port}` }, { userKey: "u5", policy, limiter: tight }),
    ).resolves.toMatchObject({ ok: true });
  });
});
