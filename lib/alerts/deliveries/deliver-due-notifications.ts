import type { Db } from "@/lib/db/client.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { toChannelConfig, type ChannelConfig } from "../channels/channel-config.ts";
import type { ChannelSendResult } from "../channels/channel-send-result.ts";
import { DEFAULT_CHANNEL_ENDPOINTS, type ChannelEndpoints } from "../channels/http-channel-request.ts";
import { sendToChannel } from "../channels/send-to-channel.ts";
import { StoredNotificationSchema } from "../channels/stored-notification.ts";
import { claimDueDeliveries, type ClaimedDelivery } from "./claim-due-deliveries.ts";
import { DEFAULT_DELIVERY_POLICY, retryDelayMs, type DeliveryPolicy } from "./delivery-backoff.ts";

export type DeliveryPass = { claimed: number; delivered: number; failed: number; gaveUp: number; lost: number };
export type DeliveryPassOptions = {
  now?: () => Date;
  policy?: Partial<DeliveryPolicy>;
  endpoints?: ChannelEndpoints;
  batchSize?: number;
  concurrency?: number;
  /** Only these notifications (a test fire delivers its own rows at once). */
  historyIds?: bigint[];
  log?: Logger;
};

/** Claims due deliveries, sends each once, and records the outcome and the attempt; returns the counts. */
export async function deliverDueNotifications(db: Db, options: DeliveryPassOptions = {}): Promise<DeliveryPass> {
  const policy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
  const now = options.now ?? (() => new Date());
  const pass: DeliveryPass = { claimed: 0, delivered: 0, failed: 0, gaveUp: 0, lost: 0 };
  const claimed = await claimDueDeliveries(db, {
    now: now(),
    leaseMs: policy.leaseMs,
    limit: options.batchSize ?? 20,
    historyIds: options.historyIds,
  });
  pass.claimed = claimed.length;
  if (claimed.length === 0) return pass;
  const channels = await loadChannels(db, claimed);
  const concurrency = options.concurrency ?? 5;
  for (let i = 0; i < claimed.length; i += concurrency) {
    await Promise.all(
      claimed.slice(i, i + concurrency).map(async (delivery) => {
        const startedAt = now();
        const result = await attempt(delivery, channels.get(delivery.channelId ?? ""), {
          endpoints: options.endpoints ?? DEFAULT_CHANNEL_ENDPOINTS,
          timeoutMs: policy.timeoutMs,
        });
        const outcome = await recordOutcome(db, delivery, result, { startedAt, finishedAt: now(), policy });
        pass[outcome]++;
        if (outcome !== "delivered")
          options.log?.warn(
            {
              deliveryId: delivery.id.toString(),
              channel: delivery.channelName,
              type: delivery.channelType,
              attempt: delivery.attempts,
              outcome,
              error: result.error,
            },
            "alert delivery not delivered",
          );
      }),
    );
  }
  return pass;
}

async function loadChannels(db: Db, claimed: ClaimedDelivery[]): Promise<Map<string, ChannelConfig | null>> {
  const ids = [...new Set(claimed.flatMap((delivery) => (delivery.channelId ? [delivery.channelId] : [])))];
  const rows = await db.alertChannel.findMany({ where: { id: { in: ids } } });
  return new Map(rows.map((row) => [row.id, toChannelConfig(row)]));
}

async function attempt(
  delivery: ClaimedDelivery,
  channel: ChannelConfig | null | undefined,
  options: { endpoints: ChannelEndpoints; timeoutMs: number },
): Promise<ChannelSendResult> {
  const final = (error: string): ChannelSendResult => ({ delivered: false, retryable: false, httpStatus: null, response: null, error });
  if (channel === undefined) return final("the channel was deleted");
  if (channel === null) return final("the channel's settings no longer validate; edit the channel");
  const notification = StoredNotificationSchema.safeParse(delivery.notification);
  if (!notification.success) return final("the stored notification is unreadable");
  try {
    return await sendToChannel(notification.data, channel, options);
  } catch {
    // A sender bug must not leave the row delivering until its lease runs out; the error itself may quote secrets.
    return { delivered: false, retryable: true, httpStatus: null, response: null, error: "unexpected error while sending" };
  }
}

/** The row's new state, only if this claim still holds it (a lease taken over by another worker wins). */
async function recordOutcome(
  db: Db,
  delivery: ClaimedDelivery,
  result: ChannelSendResult,
  at: { startedAt: Date; finishedAt: Date; policy: DeliveryPolicy },
): Promise<"delivered" | "failed" | "gaveUp" | "lost"> {
  const retry = !result.delivered && result.retryable && delivery.attempts < at.policy.maxAttempts;
  const outcome = result.delivered ? "delivered" : retry ? "failed" : "gaveUp";
  const status = outcome === "gaveUp" ? "gave_up" : outcome;
  const held = await db.$transaction(async (tx) => {
    const updated = await tx.alertDelivery.updateMany({
      where: { id: delivery.id, claimToken: delivery.claimToken, status: "delivering" },
      data: {
        status,
        claimToken: null,
        nextAttemptAt: retry ? new Date(at.finishedAt.getTime() + retryDelayMs(delivery.attempts, at.policy)) : at.finishedAt,
        deliveredAt: result.delivered ? at.finishedAt : null,
        httpStatus: result.httpStatus,
        response: result.response,
        error: result.error,
      },
    });
    if (updated.count === 0) return false;
    const attempts = [];
    if (delivery.abandonedAt) {
      attempts.push({
        deliveryId: delivery.id,
        attempt: delivery.attempts - 1,
        startedAt: delivery.abandonedAt,
        durationMs: 0,
        delivered: false,
        error: "abandoned: the worker's lease ran out",
      });
    }
    attempts.push({
      deliveryId: delivery.id,
      attempt: delivery.attempts,
      startedAt: at.startedAt,
      durationMs: Math.max(0, at.finishedAt.getTime() - at.startedAt.getTime()),
      delivered: result.delivered,
      httpStatus: result.httpStatus,
      response: result.response,
      error: result.error,
    });
    await tx.alertDeliveryAttempt.createMany({ data: attempts });
    return true;
  });
  return held ? outcome : "lost";
}
