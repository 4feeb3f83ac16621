import type { Prisma } from "@/lib/db/client.ts";
import type { StoredNotification } from "../channels/stored-notification.ts";

/**
 * One delivery row per channel of the rule, in the caller's transaction (the one that writes the history row), so a
 * notification is either recorded and due, or neither. Returns how many were queued.
 */
export async function enqueueNotification(
  tx: Prisma.TransactionClient,
  input: { historyId: bigint; ruleId: string; notification: StoredNotification; now: Date; channelIds?: string[] },
): Promise<number> {
  const channels = await tx.alertChannel.findMany({
    where: input.channelIds ? { id: { in: input.channelIds } } : { rules: { some: { ruleId: input.ruleId } } },
    select: { id: true, name: true, type: true },
    orderBy: { name: "asc" },
  });
  if (channels.length === 0) return 0;
  await tx.alertDelivery.createMany({
    data: channels.map((channel) => ({
      historyId: input.historyId,
      channelId: channel.id,
      channelName: channel.name,
      channelType: channel.type,
      notification: input.notification,
      nextAttemptAt: input.now,
    })),
  });
  return channels.length;
}
