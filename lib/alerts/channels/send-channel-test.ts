import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { ConflictError, NotFoundError } from "@/lib/errors/domain-errors.ts";
import { FLEET_SUBJECT } from "../alert-kinds.ts";
import { AlertChannelIdPattern } from "./alert-channel-schemas.ts";
import { toChannelConfig } from "./channel-config.ts";
import type { ChannelSendResult } from "./channel-send-result.ts";
import { DEFAULT_CHANNEL_ENDPOINTS, type ChannelEndpoints } from "./http-channel-request.ts";
import { sendToChannel } from "./send-to-channel.ts";
import type { StoredNotification } from "./stored-notification.ts";

/** Sends a test notification through the channel now (one attempt, not queued) and answers the outcome; audited. */
export async function sendAlertChannelTest(
  db: Db,
  id: string,
  by: { actor: Actor; ip?: string | null },
  options: { publicBaseUrl: string; endpoints?: ChannelEndpoints; timeoutMs?: number; now?: Date },
): Promise<ChannelSendResult> {
  const row = AlertChannelIdPattern.test(id) ? await db.alertChannel.findUnique({ where: { id } }) : null;
  if (!row) throw new NotFoundError("alert_channel_not_found", `No alert channel ${id}.`);
  const channel = toChannelConfig(row);
  if (!channel) throw new ConflictError("invalid_channel", "The channel's settings no longer validate; edit the channel first.");
  const now = (options.now ?? new Date()).toISOString();
  const notification: StoredNotification = {
    rule: {
      id: `channel-${row.id}`,
      name: `Test of channel “${row.name}”`,
      kind: "connected_below",
      threshold: 0,
      source: null,
      brokerNode: null,
    },
    status: "test",
    subject: FLEET_SUBJECT,
    value: null,
    message: `A test notification from Linkscope to the ${row.type} channel “${row.name}”.`,
    link: { url: `${options.publicBaseUrl.replace(/\/+$/, "")}/alerts`, label: "Open alerts" },
    startedAt: now,
    occurredAt: now,
  };
  const result = await sendToChannel(notification, channel, {
    endpoints: options.endpoints ?? DEFAULT_CHANNEL_ENDPOINTS,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  await recordAuditEvent(db, {
    action: "alert_channel.tested",
    actor: by.actor,
    ip: by.ip,
    target: { type: "alert_channel", id: row.id },
    details: { name: row.name, type: row.type, delivered: result.delivered, httpStatus: result.httpStatus, error: result.error },
  });
  return result;
}
