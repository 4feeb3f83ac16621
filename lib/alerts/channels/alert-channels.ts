import type { AlertChannel } from "@/generated/prisma/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "@/lib/errors/domain-errors.ts";
import { refuseOutboundHost } from "@/lib/security/outbound-connect.ts";
import { readOutboundPolicy, type OutboundPolicy } from "@/lib/security/outbound-policy.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { maskWebhookUrl } from "../webhook-url.ts";
import { AlertChannelIdPattern, type CreateAlertChannel, type UpdateAlertChannel } from "./alert-channel-schemas.ts";
import { ChannelConfigSchemas, maskSecretKey } from "./channel-config.ts";
import type { AlertChannelType } from "./channel-types.ts";

type By = { actor: Actor; ip?: string | null };
type DbOrTransaction = Db | Parameters<Parameters<Db["$transaction"]>[0]>[0];
/** The outbound policy targets are checked against when saved (the environment's unless a test passes one). */
type SaveOptions = { outbound?: OutboundPolicy };

/** A channel as the API and pages show it: secrets only masked (`null` when not set). */
export type AlertChannelView = {
  id: string;
  name: string;
  type: AlertChannelType;
  settings: Record<string, unknown>;
  secrets: Record<string, string | null>;
  rules: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
};

function maskSecrets(secrets: unknown): Record<string, string | null> {
  const entries = Object.entries(secrets && typeof secrets === "object" ? secrets : {});
  return Object.fromEntries(
    entries.map(([key, value]) => [
      key,
      typeof value !== "string" || value === "" ? null : key === "url" ? maskWebhookUrl(value) : maskSecretKey(value),
    ]),
  );
}

function toChannelView(channel: AlertChannel & { _count: { rules: number } }): AlertChannelView {
  return {
    id: channel.id,
    name: channel.name,
    type: channel.type,
    settings: (channel.settings ?? {}) as Record<string, unknown>,
    secrets: maskSecrets(channel.secrets),
    rules: channel._count.rules,
    createdBy: channel.createdBy,
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
  };
}

const WITH_RULE_COUNT = { _count: { select: { rules: true } } } as const;

export async function listAlertChannels(db: Db): Promise<AlertChannelView[]> {
  const channels = await db.alertChannel.findMany({ orderBy: [{ name: "asc" }], include: WITH_RULE_COUNT });
  return channels.map(toChannelView);
}

function parseConfig(type: AlertChannelType, settings: unknown, secrets: unknown) {
  const schemas = ChannelConfigSchemas[type];
  return {
    settings: parseInput(schemas.settings, settings, "invalid_settings") as object,
    secrets: parseInput(schemas.secrets, secrets, "invalid_secrets") as object,
  };
}

/** The host a channel connects to, where the admin chose it (PagerDuty and Opsgenie endpoints are fixed). */
function channelTarget(type: AlertChannelType, config: { settings: object; secrets: object }): { field: string; host: string } | null {
  if (type === "email") return { field: "settings.host", host: String((config.settings as { host: string }).host) };
  if (type === "slack" || type === "teams" || type === "webhook")
    return { field: "secrets.url", host: new URL((config.secrets as { url: string }).url).hostname };
  return null;
}

/** Refuses, when saved, a target the senders would refuse at every send (a private, loopback or metadata address). */
async function requireAllowedTarget(type: AlertChannelType, config: { settings: object; secrets: object }, options: SaveOptions) {
  const target = channelTarget(type, config);
  if (!target) return;
  const refusal = await refuseOutboundHost(target.host, options.outbound ?? readOutboundPolicy());
  if (refusal) {
    const message = `the server will not connect there: ${refusal}`;
    throw new InvalidInputError("outbound_target_refused", `${target.field}: ${message}`, [{ path: target.field, message }]);
  }
}

async function requireUniqueName(db: DbOrTransaction, name: string, exceptId?: string): Promise<void> {
  const clash = await db.alertChannel.findFirst({ where: { name, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new ConflictError("channel_name_taken", `A channel named “${name}” exists already.`);
}

export async function createAlertChannel(db: Db, input: CreateAlertChannel, by: By, options: SaveOptions = {}): Promise<AlertChannelView> {
  const config = parseConfig(input.type, input.settings, input.secrets);
  await requireAllowedTarget(input.type, config, options);
  const channel = await db.$transaction(async (tx) => {
    await requireUniqueName(tx, input.name);
    const created = await tx.alertChannel.create({
      data: { name: input.name, type: input.type, ...config, createdBy: by.actor.label },
      include: WITH_RULE_COUNT,
    });
    await recordAuditEvent(tx, {
      action: "alert_channel.created",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_channel", id: created.id },
      details: { name: input.name, type: input.type },
    });
    return created;
  });
  return toChannelView(channel);
}

/** Settings merge into the stored ones; each secret given (non-empty) replaces the stored one, the rest are kept. */
function mergeChannelPatch(
  existing: { type: AlertChannelType; name: string; settings: unknown; secrets: unknown },
  patch: UpdateAlertChannel,
) {
  const givenSecrets = Object.fromEntries(
    Object.entries(patch.secrets ?? {}).filter(([, value]) => value !== "" && value !== null && value !== undefined),
  );
  const config = parseConfig(
    existing.type,
    { ...(existing.settings as object), ...patch.settings },
    { ...(existing.secrets as object), ...givenSecrets },
  );
  // A rename keeps a target saved before the policy existed; a changed setting or secret is checked.
  const targetChanged = Boolean(patch.settings) || Object.keys(givenSecrets).length > 0;
  return { name: patch.name ?? existing.name, config, givenSecrets, targetChanged };
}

async function findChannel(db: DbOrTransaction, id: string) {
  const existing = AlertChannelIdPattern.test(id) ? await db.alertChannel.findUnique({ where: { id } }) : null;
  if (!existing) throw new NotFoundError("alert_channel_not_found", `No alert channel ${id}.`);
  return existing;
}

export async function updateAlertChannel(
  db: Db,
  id: string,
  patch: UpdateAlertChannel,
  by: By,
  options: SaveOptions = {},
): Promise<AlertChannelView> {
  // The target's DNS lookup (up to seconds) runs before the transaction, never while it holds a connection and locks.
  const before = await findChannel(db, id);
  const checked = mergeChannelPatch(before, patch);
  if (checked.targetChanged) await requireAllowedTarget(before.type, checked.config, options);
  const channel = await db.$transaction(async (tx) => {
    const existing = await findChannel(tx, id);
    const { name, config, givenSecrets, targetChanged } = mergeChannelPatch(existing, patch);
    if (targetChanged && channelTarget(existing.type, config)?.host !== channelTarget(existing.type, checked.config)?.host)
      throw new ConflictError("alert_channel_changed", "The channel was changed while this edit was saved; load it again and retry.");
    if (name !== existing.name) await requireUniqueName(tx, name, id);
    const updated = await tx.alertChannel.update({ where: { id }, data: { name, ...config }, include: WITH_RULE_COUNT });
    await recordAuditEvent(tx, {
      action: "alert_channel.updated",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_channel", id },
      details: { name, type: existing.type, secretsChanged: Object.keys(givenSecrets).sort().join(",") },
    });
    return updated;
  });
  return toChannelView(channel);
}

/** Rules stop using it; deliveries already recorded keep its name and give up if still due. */
export async function deleteAlertChannel(db: Db, id: string, by: By): Promise<void> {
  await db.$transaction(async (tx) => {
    const existing = AlertChannelIdPattern.test(id)
      ? await tx.alertChannel.findUnique({ where: { id }, select: { name: true, type: true } })
      : null;
    if (!existing) throw new NotFoundError("alert_channel_not_found", `No alert channel ${id}.`);
    await tx.alertChannel.delete({ where: { id } });
    await recordAuditEvent(tx, {
      action: "alert_channel.deleted",
      actor: by.actor,
      ip: by.ip,
      target: { type: "alert_channel", id },
      details: existing,
    });
  });
}
