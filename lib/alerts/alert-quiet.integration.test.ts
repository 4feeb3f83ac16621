import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createEmqxTestFleet } from "@/lib/testing/emqx-test-fleet.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/testing/webhook-receiver.ts";
import { acknowledgeAlert } from "./acknowledge-alert.ts";
import { CreateAlertSilenceSchema, CreateMaintenanceWindowSchema } from "./alert-quiet-schemas.ts";
import { CreateAlertRuleSchema } from "./alert-rule-schemas.ts";
import { createAlertRule, getAlertRule } from "./alert-rules.ts";
import { createAlertSilence, endAlertSilence } from "./alert-silences.ts";
import { createAlertChannel } from "./channels/alert-channels.ts";
import { deliverDueNotifications } from "./deliveries/deliver-due-notifications.ts";
import { evaluateAlertRules } from "./evaluate-alert-rules.ts";
import { listAlertHistory } from "./list-alert-history.ts";
import { createMaintenanceWindow, listMaintenanceWindows } from "./maintenance-windows.ts";

const testDb = useTestDatabase();
let receiver: WebhookReceiver;
afterEach(async () => {
  await receiver?.close();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const BASE_URL = "https://linkscope.example.com";
const BY = { actor: CLI_ACTOR };

async function historyOf(ruleId: string) {
  return (await listAlertHistory(testDb.db, { ruleId, limit: 100 })).history.reverse();
}

async function evaluateAt(at: number) {
  const run = await evaluateAlertRules(testDb.db, { now: new Date(at), publicBaseUrl: BASE_URL });
  await deliverDueNotifications(testDb.db);
  return run;
}

async function createWebhookChannel(url: string): Promise<string> {
  return (await createAlertChannel(testDb.db, { name: `hook-${randomUUID()}`, type: "webhook", settings: {}, secrets: { url } }, BY)).id;
}

type WebhookBody = {
  text: string;
  alert: { rule: string; status: string; subject: string; value: number };
  devices?: { count: number; listed: string[] };
};
const bodiesFor = (rule: string) =>
  receiver.requests.map((request) => request.body as WebhookBody).filter((body) => body.alert.rule === rule);

/**
 * Seven devices that always flap plus healthy ones: each flapper drops and reconnects once a minute in the five minute
 * buckets a 5-minute rule evaluated within t0's first seconds reads (t0 − 4 min … t0).
 */
async function createFlappingFleet(t0: number) {
  const fleet = createEmqxTestFleet(testDb.db, 10, "flap");
  const flappers = fleet.ids.slice(0, 7);
  await fleet.connect(fleet.ids, t0 - 30 * MINUTE);
  for (let minute = 4; minute >= 0; minute--) {
    await fleet.drop(flappers, t0 - minute * MINUTE);
    await fleet.connect(flappers, t0 - minute * MINUTE + 10_000);
  }
  return { ...fleet, flappers };
}

describe("silences, maintenance windows, acknowledgement and grouping against a real Postgres", () => {
  it("silencing the flapping devices takes them out of the drop rate, so the rule resolves; ending the silence counts them again", async () => {
    receiver = await startWebhookReceiver();
    const t0 = Date.UTC(2026, 10, 3, 12, 0, 0);
    const fleet = await createFlappingFleet(t0);
    const name = "Drop rate > 2/min";
    const rule = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name,
        kind: "disconnect_rate_above",
        params: { threshold: 2 },
        brokerNode: fleet.node,
        windowMinutes: 5,
        forSeconds: 0,
        clearForSeconds: 0,
        channelIds: [await createWebhookChannel(receiver.url)],
      }),
      BY,
    );
    await evaluateAt(t0 + 500);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ status: "firing", value: 7 });

    // A silence for another rule changes nothing for this one.
    const other = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({ name: "other", kind: "connected_below", params: { threshold: 1 }, enabled: false }),
      BY,
    );
    await createAlertSilence(
      testDb.db,
      CreateAlertSilenceSchema.parse({ target: "devices", ruleId: other.id, deviceIds: fleet.flappers, reason: "other rule", minutes: 60 }),
      BY,
      new Date(t0),
    );
    await evaluateAt(t0 + 1_000);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ status: "firing", value: 7 });

    const silence = await createAlertSilence(
      testDb.db,
      CreateAlertSilenceSchema.parse({
        target: "devices",
        deviceIds: fleet.flappers.join("\n"),
        reason: "known flappers, OPS-17",
        minutes: 120,
      }),
      BY,
      new Date(t0 + 2_000),
    );
    expect(silence).toMatchObject({
      active: true,
      createdBy: CLI_ACTOR.label,
      deviceIds: [...fleet.flappers].sort((a, b) => fleet.flappers.indexOf(a) - fleet.flappers.indexOf(b)),
    });
    const run = await evaluateAt(t0 + 3_000);
    expect(run.resolved).toBe(1);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ status: "ok", value: 0 });
    expect(bodiesFor(name).map((body) => body.alert.status)).toEqual(["firing", "resolved"]);

    await endAlertSilence(testDb.db, silence.id, BY, new Date(t0 + 4_000));
    await evaluateAt(t0 + 5_000);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ status: "firing", value: 7 });
    const audit = await testDb.db.auditEvent.findMany({ where: { targetId: silence.id }, orderBy: { id: "asc" } });
    expect(audit.map((event) => event.action)).toEqual(["alert_silence.created", "alert_silence.ended"]);
  });

  it("leaves devices out by label and chronic flappers out when the rule asks; a storm that starts inside the window still counts", async () => {
    const t0 = Date.UTC(2026, 10, 4, 12, 0, 0);
    const fleet = await createFlappingFleet(t0);
    const [labelled, ...rest] = fleet.flappers as [string, ...string[]];
    await testDb.db.device.update({ where: { id: labelled }, data: { labels: { site: "north-4" } } });
    // Three of the flappers also flapped through the previous day: dropped in 8 distinct hours.
    const chronic = rest.slice(0, 3);
    for (let hour = 10; hour >= 3; hour--) {
      await fleet.drop(chronic, t0 - hour * HOUR);
      await fleet.connect(chronic, t0 - hour * HOUR + 10_000);
    }
    const rule = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name: "excl",
        kind: "disconnect_rate_above",
        params: { threshold: 100 },
        brokerNode: fleet.node,
        windowMinutes: 5,
        excludeLabels: ["site=north-4"],
        excludeFlapping: true,
      }),
      BY,
    );
    await evaluateAt(t0 + 500);
    expect((await getAlertRule(testDb.db, rule.id))?.state.value).toBe(3); // 7 flappers − 1 labelled − 3 chronic

    await createAlertSilence(
      testDb.db,
      CreateAlertSilenceSchema.parse({ target: "label", ruleId: rule.id, label: "site=north-4", reason: "r", minutes: 5 }),
      BY,
      new Date(t0),
    );
    await evaluateAt(t0 + 1_000);
    expect((await getAlertRule(testDb.db, rule.id))?.state.value).toBe(3);
  });

  it("a daily 02:00–02:15 UTC window suppresses the simulated nightly broker restart, and a rule muted by it notifies once the window is over", async () => {
    receiver = await startWebhookReceiver();
    const day = Date.UTC(2026, 10, 5);
    const fleet = createEmqxTestFleet(testDb.db, 8, "nightly");
    await fleet.connect(fleet.ids, day + HOUR);
    const window = await createMaintenanceWindow(
      testDb.db,
      CreateMaintenanceWindowSchema.parse({
        name: "Nightly broker restart",
        recurrence: "daily",
        startsAt: "2026-11-01T02:00:00Z",
        durationMinutes: 15,
        brokerNode: fleet.node,
      }),
      BY,
      new Date(day + HOUR),
    );
    expect(window).toMatchObject({ active: false, next: { from: new Date(day + 2 * HOUR), to: new Date(day + 2 * HOUR + 15 * MINUTE) } });
    const rateName = "Restart drops";
    const stuckName = "Node nearly empty";
    const rate = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name: rateName,
        kind: "disconnect_rate_above",
        params: { threshold: 1 },
        brokerNode: fleet.node,
        windowMinutes: 10,
        forSeconds: 0,
        clearForSeconds: 0,
        channelIds: [await createWebhookChannel(receiver.url)],
      }),
      BY,
    );
    const stuck = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name: stuckName,
        kind: "connected_below",
        params: { threshold: 4 },
        brokerNode: fleet.node,
        forSeconds: 0,
        clearForSeconds: 0,
        channelIds: [await createWebhookChannel(receiver.url)],
      }),
      BY,
    );

    // The nightly restart (lib/simulator: every device cut with server_shutting_down, back within seconds); five devices fail to come back.
    const restartAt = day + 2 * HOUR + 5 * MINUTE;
    await fleet.drop(fleet.ids, restartAt, "server_shutting_down");
    await fleet.connect(fleet.ids.slice(0, 3), restartAt + 20_000);
    expect((await listMaintenanceWindows(testDb.db, new Date(restartAt))).find((w) => w.id === window.id)?.active).toBe(true);

    for (const at of [restartAt + MINUTE, restartAt + 5 * MINUTE, day + 2 * HOUR + 16 * MINUTE, day + 2 * HOUR + 20 * MINUTE])
      await evaluateAt(at);
    // The drops fell inside the window: they never count, before or after it ends.
    expect(await historyOf(rate.id)).toEqual([]);
    expect((await getAlertRule(testDb.db, rate.id))?.state).toMatchObject({ status: "ok", value: 0 });
    // Too few devices came back: the alert fired during the window without being sent, then was sent once it closed.
    const stuckHistory = await historyOf(stuck.id);
    expect(stuckHistory.map((h) => [h.kind, h.deliveries.map((d) => d.status)])).toEqual([
      ["fired", []],
      ["fired", ["delivered"]],
    ]);
    expect(stuckHistory[0]?.message).toContain("maintenance: Nightly broker restart");
    expect(bodiesFor(rateName)).toEqual([]);
    expect(bodiesFor(stuckName).map((body) => body.text.split("\n")[1]?.split(":")[0])).toEqual([
      "Silence or maintenance over, still firing",
    ]);
  });

  it("a rule silence keeps evaluating but sends nothing; an acknowledged alert is not re-notified until it resolves", async () => {
    receiver = await startWebhookReceiver();
    const t0 = Date.UTC(2026, 10, 6, 9, 0, 0);
    const fleet = createEmqxTestFleet(testDb.db, 4, "ack");
    await fleet.connect(fleet.ids, t0 - 10 * MINUTE);
    const name = "Node below 3";
    const rule = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name,
        kind: "connected_below",
        params: { threshold: 3 },
        brokerNode: fleet.node,
        forSeconds: 0,
        clearForSeconds: 0,
        renotifyMinutes: 10,
        channelIds: [await createWebhookChannel(receiver.url)],
      }),
      BY,
    );
    const silence = await createAlertSilence(
      testDb.db,
      CreateAlertSilenceSchema.parse({ target: "rule", ruleId: rule.id, reason: "planned work", minutes: 5 }),
      BY,
      new Date(t0),
    );
    await fleet.drop(fleet.ids.slice(0, 2), t0 + 1_000);
    await evaluateAt(t0 + MINUTE);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ status: "firing", suppressedBy: "silence: planned work" });
    expect(bodiesFor(name)).toEqual([]);

    await endAlertSilence(testDb.db, silence.id, BY, new Date(t0 + 2 * MINUTE));
    await evaluateAt(t0 + 2 * MINUTE); // sent now that nothing mutes it
    await evaluateAt(t0 + 5 * MINUTE); // not yet due
    await evaluateAt(t0 + 12 * MINUTE); // reminder
    expect(bodiesFor(name).map((body) => body.text.split("\n")[1]?.split(":")[0])).toEqual([
      "Silence or maintenance over, still firing",
      "Still firing, not acknowledged",
    ]);

    await expect(acknowledgeAlert(testDb.db, rule.id, { subject: "nope" }, BY)).rejects.toMatchObject({ kind: "conflict" });
    expect(await acknowledgeAlert(testDb.db, rule.id, {}, BY, new Date(t0 + 13 * MINUTE))).toEqual({ acknowledged: 1 });
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({
      acknowledged: 1,
      acknowledgedBy: CLI_ACTOR.label,
      acknowledgedAt: new Date(t0 + 13 * MINUTE),
    });
    await evaluateAt(t0 + 30 * MINUTE);
    expect(bodiesFor(name)).toHaveLength(2);

    await fleet.connect(fleet.ids.slice(0, 2), t0 + 31 * MINUTE);
    await evaluateAt(t0 + 32 * MINUTE);
    expect((await getAlertRule(testDb.db, rule.id))?.state).toMatchObject({ status: "ok", acknowledged: 0, acknowledgedBy: null });
    await fleet.drop(fleet.ids.slice(0, 2), t0 + 33 * MINUTE);
    await evaluateAt(t0 + 34 * MINUTE);
    expect(bodiesFor(name).map((body) => body.alert.status)).toEqual(["firing", "firing", "resolved", "firing"]);
    const audit = await testDb.db.auditEvent.findMany({ where: { targetId: rule.id, action: "alert.acknowledged" } });
    expect(audit).toHaveLength(1);
  });

  it("sends one notification for many devices of an offline rule, listing the first ones and the count", async () => {
    receiver = await startWebhookReceiver();
    const t0 = Date.UTC(2026, 10, 7, 9, 0, 0);
    const fleet = createEmqxTestFleet(testDb.db, 13, "grp");
    await fleet.connect(fleet.ids, t0 - HOUR);
    await fleet.drop(fleet.ids.slice(0, 12), t0 - 40 * MINUTE);
    const name = "Offline > 30 min";
    const rule = await createAlertRule(
      testDb.db,
      CreateAlertRuleSchema.parse({
        name,
        kind: "device_offline_longer",
        params: { threshold: 30 },
        brokerNode: fleet.node,
        forSeconds: 0,
        clearForSeconds: 0,
        channelIds: [await createWebhookChannel(receiver.url)],
      }),
      BY,
    );
    const run = await evaluateAt(t0);
    expect(run).toMatchObject({ fired: 12 });
    const [body] = bodiesFor(name);
    expect(body?.devices?.count).toBe(12);
    expect(body?.devices?.listed).toHaveLength(10);
    expect(body?.text).toContain("12 devices offline for more than 30 min");
    expect(body?.text).toContain("and 2 more");
    const history = await historyOf(rule.id);
    expect(history.map((h) => [h.kind, h.subject, h.deliveries.length])).toEqual([["fired", "12 devices", 1]]);

    await fleet.connect(fleet.ids.slice(0, 1), t0 + MINUTE);
    await evaluateAt(t0 + 2 * MINUTE);
    expect(bodiesFor(name).map((b) => [b.alert.status, b.alert.subject])).toEqual([
      ["firing", "fleet"],
      ["resolved", fleet.ids[0]],
    ]);
  });
});
