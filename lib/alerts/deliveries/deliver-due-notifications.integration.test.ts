import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createDb } from "@/lib/db/client.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { startWebhookReceiver, type WebhookReceiver, type WebhookResponder } from "@/lib/testing/webhook-receiver.ts";
import { CreateAlertRuleSchema } from "../alert-rule-schemas.ts";
import { createAlertRule } from "../alert-rules.ts";
import { createAlertChannel } from "../channels/alert-channels.ts";
import type { StoredNotification } from "../channels/stored-notification.ts";
import { claimDueDeliveries } from "./claim-due-deliveries.ts";
import { deliverDueNotifications } from "./deliver-due-notifications.ts";
import { enqueueNotification } from "./enqueue-notification.ts";

const testDb = useTestDatabase();
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const BY = { actor: CLI_ACTOR };
const SECOND = 1_000;

/** A rule with one webhook channel pointing at a fresh local receiver. */
async function createRuleWithReceiver(respond?: WebhookResponder) {
  receiver = await startWebhookReceiver(respond);
  const channel = await createAlertChannel(
    testDb.db,
    { name: `hook-${randomUUID()}`, type: "webhook", settings: {}, secrets: { url: receiver.url } },
    BY,
  );
  const rule = await createAlertRule(
    testDb.db,
    CreateAlertRuleSchema.parse({
      name: "Durable",
      kind: "connected_below",
      params: { threshold: 3 },
      enabled: false,
      channelIds: [channel.id],
    }),
    BY,
  );
  return { rule, receiver };
}

/** What the evaluator does in its transaction: the history row and its deliveries, committed together. */
async function commitNotification(ruleId: string, now: Date, subject = "fleet"): Promise<bigint> {
  return testDb.db.$transaction(async (tx) => {
    const history = await tx.alertHistory.create({
      data: {
        ruleId,
        ruleName: "Durable",
        ruleKind: "connected_below",
        kind: "fired",
        subject,
        value: 2,
        threshold: 3,
        message: "2 devices connected",
        link: "https://l.example/fleet",
        occurredAt: now,
      },
      select: { id: true },
    });
    const notification: StoredNotification = {
      rule: { id: ruleId, name: "Durable", kind: "connected_below", threshold: 3, source: null, brokerNode: null },
      status: "firing",
      subject,
      value: 2,
      message: "2 devices connected (all sources); alert below 3",
      link: { url: "https://l.example/fleet", label: "Open fleet view" },
      startedAt: now.toISOString(),
      occurredAt: now.toISOString(),
    };
    expect(await enqueueNotification(tx, { historyId: history.id, ruleId, notification, now })).toBe(1);
    return history.id;
  });
}

async function deliveriesOf(historyId: bigint) {
  return testDb.db.alertDelivery.findMany({ where: { historyId }, include: { attemptsLog: { orderBy: { attempt: "asc" } } } });
}

describe("durable alert delivery against a real Postgres", () => {
  it("delivers exactly once after the worker that claimed the row died before sending (its lease ran out)", async () => {
    const { rule, receiver } = await createRuleWithReceiver();
    const t0 = new Date(Date.UTC(2026, 10, 1, 10, 0, 0));
    const historyId = await commitNotification(rule.id, t0);

    // Worker A claims the row, then dies without sending or recording anything.
    const claimedByA = await claimDueDeliveries(testDb.db, { now: t0, leaseMs: 60 * SECOND, limit: 10, historyIds: [historyId] });
    expect(claimedByA).toHaveLength(1);

    // Worker B (its own connection pool) must leave it alone while A's lease holds, then take it over once.
    const workerB = createDb(testDb.url, 2);
    try {
      const at = (offsetMs: number) => ({ now: () => new Date(t0.getTime() + offsetMs), historyIds: [historyId] });
      expect(await deliverDueNotifications(workerB, at(30 * SECOND))).toMatchObject({ claimed: 0 });
      expect(receiver.requests).toHaveLength(0);
      expect(await deliverDueNotifications(workerB, at(61 * SECOND))).toMatchObject({ claimed: 1, delivered: 1 });
      expect(await deliverDueNotifications(workerB, at(600 * SECOND))).toMatchObject({ claimed: 0 });
    } finally {
      await workerB.$disconnect();
    }
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.body).toMatchObject({ alert: { status: "firing", ruleId: rule.id, subject: "fleet" } });
    const [delivery] = await deliveriesOf(historyId);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 2, httpStatus: 200, claimToken: null });
    expect(delivery?.attemptsLog.map((a) => [a.attempt, a.delivered, a.error])).toEqual([
      [1, false, "abandoned: the worker's lease ran out"],
      [2, true, null],
    ]);
  });

  it("lets several workers drain the queue at once, each notification sent once (FOR UPDATE SKIP LOCKED)", async () => {
    const { rule, receiver } = await createRuleWithReceiver();
    const t0 = new Date(Date.UTC(2026, 10, 2, 10, 0, 0));
    const historyIds: bigint[] = [];
    for (let i = 0; i < 12; i++) historyIds.push(await commitNotification(rule.id, t0, `device-${i}`));
    const workers = [createDb(testDb.url, 2), createDb(testDb.url, 2), createDb(testDb.url, 2)];
    try {
      const passes = await Promise.all(
        workers.map((db) => deliverDueNotifications(db, { now: () => t0, historyIds, batchSize: 5, concurrency: 2 })),
      );
      const again = await Promise.all(workers.map((db) => deliverDueNotifications(db, { now: () => t0, historyIds, batchSize: 5 })));
      const delivered = [...passes, ...again].reduce((sum, pass) => sum + pass.delivered, 0);
      expect(delivered).toBe(12);
    } finally {
      await Promise.all(workers.map((db) => db.$disconnect()));
    }
    const subjects = receiver.requests.map((request) => (request.body as { alert: { subject: string } }).alert.subject).sort();
    expect(subjects).toEqual(Array.from({ length: 12 }, (_, i) => `device-${i}`).sort());
  });

  it("retries a 500 with exponential backoff and records every attempt", async () => {
    const { rule, receiver } = await createRuleWithReceiver((index) => (index < 2 ? 500 : 200));
    const t0 = new Date(Date.UTC(2026, 10, 3, 10, 0, 0));
    const historyId = await commitNotification(rule.id, t0);
    const at = (offsetMs: number) => ({ now: () => new Date(t0.getTime() + offsetMs), historyIds: [historyId] });

    expect(await deliverDueNotifications(testDb.db, at(0))).toMatchObject({ claimed: 1, failed: 1 });
    expect((await deliveriesOf(historyId))[0]).toMatchObject({
      status: "failed",
      attempts: 1,
      httpStatus: 500,
      error: "HTTP 500",
      nextAttemptAt: new Date(t0.getTime() + 10 * SECOND),
    });
    expect(await deliverDueNotifications(testDb.db, at(9 * SECOND))).toMatchObject({ claimed: 0 });
    expect(await deliverDueNotifications(testDb.db, at(10 * SECOND))).toMatchObject({ claimed: 1, failed: 1 });
    // The second failure waits twice as long.
    expect((await deliveriesOf(historyId))[0]?.nextAttemptAt).toEqual(new Date(t0.getTime() + 30 * SECOND));
    expect(await deliverDueNotifications(testDb.db, at(29 * SECOND))).toMatchObject({ claimed: 0 });
    expect(await deliverDueNotifications(testDb.db, at(30 * SECOND))).toMatchObject({ claimed: 1, delivered: 1 });

    expect(receiver.requests).toHaveLength(3);
    const [delivery] = await deliveriesOf(historyId);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, httpStatus: 200, error: null });
    expect(delivery?.attemptsLog.map((a) => [a.attempt, a.httpStatus, a.delivered])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 200, true],
    ]);
  });

  it("gives up at once on a 4xx answer, and after the last attempt on repeated 5xx", async () => {
    const { rule } = await createRuleWithReceiver(() => 404);
    const t0 = new Date(Date.UTC(2026, 10, 4, 10, 0, 0));
    const notFound = await commitNotification(rule.id, t0);
    expect(await deliverDueNotifications(testDb.db, { now: () => t0, historyIds: [notFound] })).toMatchObject({ gaveUp: 1 });
    expect((await deliveriesOf(notFound))[0]).toMatchObject({ status: "gave_up", attempts: 1, httpStatus: 404 });

    await receiver?.close();
    const down = await createRuleWithReceiver(() => 503);
    const historyId = await commitNotification(down.rule.id, t0);
    const policy = { maxAttempts: 2, baseBackoffMs: 0 };
    expect(await deliverDueNotifications(testDb.db, { now: () => t0, historyIds: [historyId], policy })).toMatchObject({ failed: 1 });
    expect(await deliverDueNotifications(testDb.db, { now: () => t0, historyIds: [historyId], policy })).toMatchObject({ gaveUp: 1 });
    expect((await deliveriesOf(historyId))[0]).toMatchObject({ status: "gave_up", attempts: 2, error: "HTTP 503" });
    expect(down.receiver.requests).toHaveLength(2);
  });
});
