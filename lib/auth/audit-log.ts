import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { createLogger } from "@/lib/log/logger.ts";

export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_in_rate_limited",
  "auth.sign_out",
  "user.created",
  "user.role_changed",
  "user.disabled",
  "user.enabled",
  "user.password_reset",
  "token.created",
  "token.revoked",
  "token.used",
  "token.refused",
  "ingest_token.created",
  "ingest_token.revoked",
  "dead_letters.reprocessed",
  "import.started",
  "agent_export.uploaded",
  "device_evidence.uploaded",
  "incident.created",
  "incident.note_added",
  "export.device_history",
  "export.support_bundle",
  "export.device_list",
  "share_link.created",
  "share_link.revoked",
  "share_link.accessed",
  "share_link.refused",
  "alert_rule.created",
  "alert_rule.updated",
  "alert_rule.deleted",
  "alert_rule.test_fired",
  "probe_endpoint.created",
  "probe_endpoint.updated",
  "probe_endpoint.deleted",
  "alert_silence.created",
  "alert_silence.ended",
  "maintenance_window.created",
  "maintenance_window.deleted",
  "alert.acknowledged",
  "alert_channel.created",
  "alert_channel.updated",
  "alert_channel.deleted",
  "alert_channel.tested",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number] | (string & {});

export type AuditEventInput = {
  action: AuditAction;
  actor: Actor;
  target?: { type: string; id: string } | undefined;
  ip?: string | null | undefined;
  /** Never put passwords, tokens or hashes here: the audit log is shown to admins and exported. */
  details?: Record<string, string | number | boolean | null> | undefined;
};

const log = createLogger("audit");

export async function recordAuditEvent(db: Db | Prisma.TransactionClient, input: AuditEventInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      action: input.action,
      actorType: input.actor.type,
      actorId: input.actor.id,
      actorLabel: input.actor.label,
      targetType: input.target?.type ?? null,
      targetId: input.target?.id ?? null,
      ip: input.ip ?? null,
      details: input.details ?? {},
    },
  });
  log.debug({ action: input.action, actor: input.actor.label, target: input.target?.id }, "audit");
}

/** For paths where failing to audit must not fail the request (e.g. recording a refused sign-in). */
export async function tryRecordAuditEvent(db: Db, input: AuditEventInput): Promise<void> {
  try {
    await recordAuditEvent(db, input);
  } catch (error) {
    log.error({ err: error, action: input.action }, "could not record audit event");
  }
}
