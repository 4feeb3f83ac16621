import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLinkscopeAgent, type CredentialRequest, type Timers } from "./linkscope-agent.ts";

/** Timers that run only when the test says so, recording every delay the agent asked for. */
function createManualTimers() {
  const pending: { callback: () => void; ms: number; id: number }[] = [];
  const delays: number[] = [];
  let nextId = 1;
  const timers: Timers = {
    setTimeout(callback, ms) {
      const id = nextId++;
      pending.push({ callback, ms, id });
      delays.push(ms);
      return id;
    },
    clearTimeout(handle) {
      const index = pending.findIndex((t) => t.id === handle);
      if (index >= 0) pending.splice(index, 1);
    },
  };
  return { timers, delays, pending, runNext: () => pending.shift()?.callback() };
}

/** A transport whose every connection fails like a refused TCP connect. */
function refusedTransport(): Duplex {
  const stream = new Duplex({
    read() {},
    write(_chunk, _encoding, done) {
      done();
    },
  });
  setImmediate(() => stream.destroy(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })));
  return stream;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function waitForFailures(count: number, read: () => number): Promise<void> {
  for (let i = 0; i < 200 && read() < count; i += 1) await tick();
}

describe("createLinkscopeAgent while the broker is unreachable", () => {
  it("backs off from 0.5 s doubling to the cap, asks for fresh credentials after 5 quick attempts, and records each failure", async () => {
    const manual = createManualTimers();
    const requests: CredentialRequest[] = [];
    const agent = createLinkscopeAgent({
      deviceId: "dev-1",
      transport: refusedTransport,
      timers: manual.timers,
      random: () => 0.5,
      config: { maxReconnectDelayMs: 4_000 },
      getCredentials: (request) => {
        requests.push(request);
        return { username: "dev-1", password: "token-abcdef" };
      },
    });
    await agent.start();
    for (let attempt = 1; attempt <= 7; attempt += 1) {
      await waitForFailures(attempt, () => agent.diagnostics.getMetrics().totalConnectFailures);
      manual.runNext();
      await tick();
    }
    await waitForFailures(8, () => agent.diagnostics.getMetrics().totalConnectFailures);
    expect(manual.delays.slice(0, 8)).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000, 4_000]);
    expect(requests.map((r) => r.deep)).toEqual([false, false, false, false, false, false, true, true]);
    expect(requests.map((r) => r.attempt)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const failures = agent.diagnostics.getRecentConnectFailures();
    expect(failures.map((f) => f.errorName)).toEqual(Array(8).fill("ECONNREFUSED"));
    expect(failures.map((f) => f.deep)).toEqual([false, false, false, false, false, false, true, true]);
    expect(agent.exportJson()).not.toContain("token-abcdef");
    await agent.stop({ force: true });
    expect(manual.pending).toHaveLength(0);
  });

  it("gives up after maxReconnectAttempts when limited", async () => {
    const manual = createManualTimers();
    const agent = createLinkscopeAgent({
      deviceId: "dev-2",
      transport: refusedTransport,
      timers: manual.timers,
      config: { maxReconnectAttempts: 2 },
    });
    let gaveUpAfter: number | undefined;
    agent.on("gaveUp", (attempts) => (gaveUpAfter = attempts));
    await agent.start();
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      await waitForFailures(attempt, () => agent.diagnostics.getMetrics().totalConnectFailures);
      manual.runNext();
    }
    await waitForFailures(3, () => agent.diagnostics.getMetrics().totalConnectFailures);
    expect(gaveUpAfter).toBe(2);
    expect(manual.pending).toHaveLength(0);
    await agent.stop({ force: true });
  });

  it("queues commands while offline up to the bound, dropping the oldest", async () => {
    const manual = createManualTimers();
    const agent = createLinkscopeAgent({
      deviceId: "dev-3",
      transport: refusedTransport,
      timers: manual.timers,
      config: { maxQueuedCommands: 3 },
    });
    const outcomes = [1, 2, 3, 4, 5].map((n) => agent.publish("cmd", `c${n}`));
    expect(outcomes).toEqual(["queued", "queued", "queued", "queued", "queued"]);
    expect(agent.queuedCommands()).toBe(3);
    expect(agent.diagnostics.getMetrics()).toMatchObject({ queuedMessages: 5, droppedCommands: 2, publishedMessages: 0 });
    const noQueue = createLinkscopeAgent({
      deviceId: "dev-4",
      transport: refusedTransport,
      timers: manual.timers,
      config: { enableCommandQueue: false },
    });
    expect(noQueue.publish("cmd", "x")).toBe("dropped");
    await agent.stop({ force: true });
    await noQueue.stop({ force: true });
  });

  it("records system events for correlation", async () => {
    const agent = createLinkscopeAgent({ deviceId: "dev-5", transport: refusedTransport, timers: createManualTimers().timers });
    agent.reportSystemEvent("network_change", "wlan0 → lte0");
    agent.reportSystemEvent("power_save");
    expect(agent.diagnostics.getRecentSystemEvents().map((e) => [e.type, e.detail])).toEqual([
      ["network_change", "wlan0 → lte0"],
      ["power_save", null],
    ]);
    expect(agent.diagnostics.getMetrics().systemEvents).toBe(2);
    await agent.stop({ force: true });
  });
});
