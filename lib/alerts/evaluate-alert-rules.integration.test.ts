import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createDb } from "@/lib/db/client.ts";
import { toJsonText } from "@/lib/json/json-text.ts";
import { createEmqxTestFleet } from "@/lib/testing/emqx-test-fleet.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver.ts";
import { toAlertRuleConfig } from "./alert-rule-config.ts";
import { CreateAlertRuleSchema } from "./alert-rule-schemas.ts";
import { createAlertRule, getAlertRule, updateAlertRule } from "./alert-rules.ts";
import { createAlertChannel } from "./channels/alert-channels.ts";
import { deliverDueNotifications } from "./deliveries/deliver-due-notifications.ts";
import { evaluateAlertRules } from "./evaluate-alert-rules.ts";
import { listAlertHistory } from "./list-alert-history.ts";
import { measureFleetValue } from "./measure-alert-rule.ts";
import { testFireAlertRule } from "./test-fire-alert-rule.ts";

const testDb = useTestDatabase();
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const MINUTE = 60_000;
const BASE_URL = "https://linkscope.example.com";
const BY = { actor: CLI_ACTOR };
const FAST_RETRY = { policy: { baseBackoffMs: 0 } };

async function createWebhookChannel(url: string): Promise<string> {
  return (await createAlertChannel(testDb.db, { name: `hook-${randomUUID()}`, type: "webhook", settings: {}, secrets: { url } }, BY)).id;
}

const createFleet = (size: number) => createEmqxTestFleet(testDb.db, size);

async function historyOf(ruleId: string) {
  return (await listAlertHistory(testDb.db, { ruleId, limit: 100 })).history.reverse();
}

describe("alert evaluation against a real Postgres", () => {
  it("fires once and resolves once while the connected count oscillates around the threshold (alert hysteresis)", async () => {
    receiver = await startWebhookReceiver();
    const fleet = createFleet(6);
    const t0 = Date.UTC(2026, 9, 1, 10, 0, 0);
    await fleet.connect(fleet.ids, t0 - 10 * MINUTE);
    const input = CreateAlertRuleSchema.parse({
      name: "Node down",
      kind: "connected_below",
      params: { threshold: 4 },
      brokerNode: fleet.node,
      forSeconds: 60,
      clearMargin: 1,
      clearForSeconds: 60,
      channelIds: [await createWebhookChannel(receiver.url)],
    });
    const rule = await createAlertRule(testDb.db, input, BY);
    const evaluate = async (offsetMs: number, db = testDb.db) =>
      evaluateAlertRules(db, { now: new Date(t0 + offsetMs), publicBaseUrl: BASE_URL });
    const [a, b, c, d] = fleet.ids as [string, string, string, string];

    await evaluate(0); // 6 connected
    await fleet.drop([a, b, c], t0 + MINUTE); // 3 connected: below 4
    await evaluate(MINUTE);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ status: "pending", value: 3 });
    await evaluate(1.5 * MINUTE);
    // A restarted worker (a new client, nothing in memory) carries on from the stored state.
    const restarted = createDb(testDb.url, 2);
    try {
      expect((await evaluate(2 * MINUTE + 1_000, restarted)).fired).toBe(1);
    } finally {
      await restarted.$disconnect();
    }
    await fleet.connect([a], t0 + 3 * MINUTE); // 4: no longer below 4, but not back to the clear threshold 5
    for (const offset of [3, 3.5, 4, 4.5]) await evaluate(offset * MINUTE);
    await fleet.drop([a], t0 + 5 * MINUTE); // 3 again
    await evaluate(5 * MINUTE);
    await fleet.connect([a], t0 + 6 * MINUTE); // 4
    await evaluate(6 * MINUTE);
    await fleet.connect([b], t0 + 7 * MINUTE); // 5: clear, the clear-for timer starts
    await evaluate(7 * MINUTE);
    await evaluate(7.5 * MINUTE);
    await fleet.drop([d], t0 + 7.6 * MINUTE); // 4 before the minute is up: the timer restarts
    await evaluate(7.7 * MINUTE);
    await evaluate(8.5 * MINUTE);
    await fleet.connect([d], t0 + 9 * MINUTE); // 5
    await evaluate(9 * MINUTE);
    expect((await historyOf(rule.id)).map((row) => row.kind)).toEqual(["fired"]);
    await evaluate(10 * MINUTE + 1_000);
    await deliverDueNotifications(testDb.db);

    const history = await historyOf(rule.id);
    expect(history.map((row) => [row.kind, row.value, row.threshold, row.deliveries.map((d) => [d.status, d.httpStatus])])).toEqual([
      ["fired", 3, 4, [["delivered", 200]]],
      ["resolved", 5, 4, [["delivered", 200]]],
    ]);
    expect(receiver.requests.map((request) => (request.body as { alert: { status: string } }).alert.status)).toEqual([
      "firing",
      "resolved",
    ]);
    const fired = receiver.requests[0]?.body as { text: string; link: string; alert: Record<string, unknown> };
    expect(fired.alert).toMatchObject({
      rule: "Node down",
      kind: "connected_below",
      value: 3,
      threshold: 4,
      subject: "fleet",
      scope: { source: null, brokerNode: fleet.node },
    });
    expect(fired.link).toMatch(new RegExp(`^${BASE_URL}/fleet\\?from=`));
    expect(fired.text).toContain(`<${fired.link}|Open fleet view>`);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ status: "ok", value: 5 });
  });

  it("alerts once per device offline longer than T, at most 50 per rule, and resolves the one that reconnects", async () => {
    const fleet = createFleet(55);
    const t0 = Date.UTC(2026, 9, 2, 10, 0, 0);
    await fleet.connect(fleet.ids, t0 - 60 * MINUTE);
    await fleet.drop(fleet.ids, t0);
    const rule = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name: "Offline",
        kind: "device_offline_longer",
        params: { threshold: 30 },
        brokerNode: fleet.node,
        forSeconds: 0,
        clearForSeconds: 0,
      }),
      BY,
    );
    const evaluate = (offsetMs: number) => evaluateAlertRules(testDb.db, { now: new Date(t0 + offsetMs), publicBaseUrl: BASE_URL });
    expect((await evaluate(29 * MINUTE)).fired).toBe(0);
    expect((await evaluate(31 * MINUTE)).fired).toBe(50);
    expect((await evaluate(32 * MINUTE)).fired).toBe(0);
    const view = await getAlertRule(testDb.db, rule.id);
    expect(view?.state).toMatchObject({ status: "firing", firing: 50, value: 55 });

    const firstFiring = view?.state.firingDevices[0] ?? "";
    await fleet.connect([firstFiring], t0 + 40 * MINUTE);
    const run = await evaluate(41 * MINUTE);
    expect(run).toMatchObject({ fired: 0, resolved: 1 });
    const history = await historyOf(rule.id);
    const resolved = history.filter((row) => row.kind === "resolved");
    expect(resolved.map((row) => [row.subject, row.deliveries.length, row.link])).toEqual([
      [firstFiring, 0, `${BASE_URL}/devices/${encodeURIComponent(firstFiring)}`],
    ]);
    // The 50 devices that fired in one run were told in one grouped notification (issue 17).
    const fired = history.filter((row) => row.kind === "fired");
    expect(fired.map((row) => row.subject)).toEqual(["50 devices"]);
    expect(fired[0]?.message).toMatch(/^50 devices offline for more than 30 min \(node node-\w+@10\.0\.0\.1\): alert-dev-/);
    // A freed slot goes to a device that had been over the cap.
    expect((await evaluate(42 * MINUTE)).fired).toBe(1);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ firing: 50, value: 54 });
  });

  it("links a fleet alert to the open incident of its scope", async () => {
    const fleet = createFleet(3);
    const t0 = Date.UTC(2026, 9, 3, 10, 0, 0);
    await fleet.connect(fleet.ids, t0 - 10 * MINUTE);
    const incident = await testDb.db.incident.create({
      data: {
        trigger: "mass_drop",
        status: "open",
        title: "t",
        startedAt: new Date(t0 - MINUTE),
        lastDropAt: new Date(t0),
        brokerNode: fleet.node,
        source: "emqx",
        affectedDevices: 3,
      },
    });
    const rule = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name: "Below 5",
        kind: "connected_below",
        params: { threshold: 5 },
        brokerNode: fleet.node,
        forSeconds: 0,
      }),
      BY,
    );
    await evaluateAlertRules(testDb.db, { now: new Date(t0), publicBaseUrl: BASE_URL });
    expect((await historyOf(rule.id)).map((row) => [row.kind, row.link, row.linkPath])).toEqual([
      ["fired", `${BASE_URL}/incidents/${incident.id}`, `/incidents/${incident.id}`],
    ]);
  });

  it("measures drop rates from the rollups (fleet-wide and per node) and code rates by vendor code or reason", async () => {
    const fleet = createFleet(10);
    const t0 = Date.UTC(2026, 9, 4, 10, 0, 0);
    await fleet.connect(fleet.ids, t0 - 10 * MINUTE);
    await fleet.drop(fleet.ids, t0 + 30_000);
    const now = new Date(t0 + 2 * MINUTE);
    const measure = async (body: Record<string, unknown>) => {
      const created = await createAlertRule(
        testDb.db,
        CreateAlertRuleSchema.parse({ name: "m", windowMinutes: 5, enabled: false, ...body }),
        BY,
      );
      const row = await testDb.db.alertRule.findUniqueOrThrow({ where: { id: created.id } });
      const config = toAlertRuleConfig(row);
      if (!config) throw new Error("invalid rule");
      return (await measureFleetValue(testDb.db, config, now)).value;
    };
    expect(await measure({ kind: "disconnect_rate_above", params: { threshold: 1 } })).toBe(2);
    expect(await measure({ kind: "disconnect_rate_above", params: { threshold: 1 }, brokerNode: fleet.node })).toBe(2);
    expect(await measure({ kind: "disconnect_rate_above", params: { threshold: 1 }, brokerNode: "another-node" })).toBe(0);
    expect(await measure({ kind: "code_rate_above", params: { code: "emqx:keepalive_timeout", threshold: 1 } })).toBe(2);
    expect(await measure({ kind: "code_rate_above", params: { code: "keepalive_timeout", threshold: 1 } })).toBe(2);
    expect(await measure({ kind: "code_rate_above", params: { code: "emqx:takenover", threshold: 1 } })).toBe(0);
    expect(
      await measure({ kind: "code_rate_above", params: { code: "emqx:keepalive_timeout", threshold: 1 }, brokerNode: fleet.node }),
    ).toBe(2);
    expect(
      await measure({ kind: "code_rate_above", params: { code: "keepalive_timeout", threshold: 1 }, brokerNode: "another-node" }),
    ).toBe(0);
    expect(await measure({ kind: "connected_drop_percent", params: { threshold: 50 }, brokerNode: fleet.node })).toBe(100);
  });

  it("test-fires a rule: a test history row delivered at once to its channel, audited without the URL, state untouched", async () => {
    receiver = await startWebhookReceiver((index) => (index === 0 ? 500 : 200));
    const fleet = createFleet(2);
    await fleet.connect(fleet.ids, Date.now() - MINUTE);
    const rule = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name: "Test me",
        kind: "connected_below",
        params: { threshold: 1 },
        brokerNode: fleet.node,
        channelIds: [await createWebhookChannel(receiver.url)],
      }),
      BY,
    );
    expect(rule.channels).toHaveLength(1);
    const history = await testFireAlertRule(testDb.db, rule.id, BY, { publicBaseUrl: BASE_URL, delivery: FAST_RETRY });
    expect(history).toMatchObject({ kind: "test", value: 2 });
    expect(history.deliveries).toMatchObject([{ status: "failed", httpStatus: 500, attempts: 1, error: "HTTP 500" }]);
    expect(await deliverDueNotifications(testDb.db, { ...FAST_RETRY, historyIds: [BigInt(history.id)] })).toMatchObject({
      claimed: 1,
      delivered: 1,
    });
    expect((receiver.requests[1]?.body as { alert: { status: string } }).alert.status).toBe("test");
    const audit = await testDb.db.auditEvent.findMany({ where: { targetId: rule.id } });
    expect(audit.map((event) => event.action).sort()).toEqual(["alert_rule.created", "alert_rule.test_fired"]);
    expect(toJsonText(audit)).not.toContain("secretToken");
    expect(await testDb.db.alertState.count({ where: { ruleId: rule.id } })).toBe(0);

    // Replacing other fields keeps the channels; an empty list removes them, and a test then answers 400.
    const renamed = await updateAlertRule(testDb.db, rule.id, { name: "Renamed", params: { threshold: 2 } }, BY);
    expect(renamed).toMatchObject({ name: "Renamed", params: { threshold: 2 }, channels: rule.channels });
    await updateAlertRule(testDb.db, rule.id, { channelIds: [] }, BY);
    await expect(testFireAlertRule(testDb.db, rule.id, BY, { publicBaseUrl: BASE_URL })).rejects.toMatchObject({
      kind: "invalid",
      code: "no_channels",
    });
    // A code rule needs its code: switching the kind alone is refused.
    await expect(updateAlertRule(testDb.db, rule.id, { kind: "code_rate_above" }, BY)).rejects.toMatchObject({ kind: "invalid" });
  });
});
