import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { computeShareExpiry, generateShareToken, getShareLinkStatus, hashShareToken, MAX_SHARE_WINDOW_MS, ShareTokenSchema, type ShareLinkStatus } from "./share-token.ts";

/** What the device page and the API show about a link; never the token or its hash. */
export type ShareLinkSummary = {
  id: string;
  deviceId: string;
  windowFrom: Date;
  windowTo: Date;
  createdByLabel: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  useCount: number;
  status: ShareLinkStatus;
};

const SUMMARY_SELECT = {
  id: true,
  deviceId: true,
  windowFrom: true,
  windowTo: true,
  createdByLabel: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  useCount: true,
} as const;

type SummaryRow = Omit<ShareLinkSummary, "status">;
const toSummary = (row: SummaryRow, now: Date): ShareLinkSummary => ({ ...row, status: getShareLinkStatus(row, now) });

export type CreateShareLinkInput = { deviceId: string; from: Date; to: Date; expiresInHours: number; actor: Actor; ip: string | null; now?: Date };

/** Creates the link and returns its token, the only time the token exists outside the caller's hands. */
export async function createShareLink(db: Db, input: CreateShareLinkInput): Promise<{ link: ShareLinkSummary; token: string }> {
  const now = input.now ?? new Date();
  if (input.to.getTime() <= input.from.getTime()) throw new AppError(400, "invalid_window", "`to` must be after `from`.");
  if (input.to.getTime() - input.from.getTime() > MAX_SHARE_WINDOW_MS) throw new AppError(400, "invalid_window", "A shared window can span at most 92 days.");
  const { token, tokenHash } = generateShareToken();
  const link = await db.$transaction(async (tx) => {
    const row = await tx.shareLink.create({
      data: {
        tokenHash,
        deviceId: input.deviceId,
        windowFrom: input.from,
        windowTo: input.to,
        createdById: input.actor.id,
        createdByLabel: input.actor.label,
        expiresAt: computeShareExpiry(now, input.expiresInHours),
      },
      select: SUMMARY_SELECT,
    });
    await recordAuditEvent(tx, {
      action: "share_link.created",
      actor: input.actor,
      ip: input.ip,
      target: { type: "share_link", id: row.id },
      details: { deviceId: input.deviceId, from: input.from.toISOString(), to: input.to.toISOString(), expiresAt: row.expiresAt.toISOString() },
    });
    return row;
  });
  return { link: toSummary(link, now), token };
}

export async function listDeviceShareLinks(db: Db, deviceId: string, now = new Date()): Promise<ShareLinkSummary[]> {
  const rows = await db.shareLink.findMany({ where: { deviceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 100, select: SUMMARY_SELECT });
  return rows.map((row) => toSummary(row, now));
}

/** Revokes at once; revoking a revoked link is a no-op that keeps the first revocation time. */
export async function revokeShareLink(db: Db, input: { deviceId: string; linkId: string; actor: Actor; ip: string | null; now?: Date }): Promise<ShareLinkSummary> {
  const now = input.now ?? new Date();
  return db.$transaction(async (tx) => {
    const existing = await tx.shareLink.findFirst({ where: { id: input.linkId, deviceId: input.deviceId }, select: SUMMARY_SELECT });
    if (!existing) throw new AppError(404, "share_link_not_found", "No such share link for this device.");
    if (existing.revokedAt) return toSummary(existing, now);
    const row = await tx.shareLink.update({ where: { id: existing.id }, data: { revokedAt: now }, select: SUMMARY_SELECT });
    await recordAuditEvent(tx, { action: "share_link.revoked", actor: input.actor, ip: input.ip, target: { type: "share_link", id: row.id }, details: { deviceId: row.deviceId } });
    return toSummary(row, now);
  });
}

export type OpenedShareLink =
  | { status: "active"; link: ShareLinkSummary }
  | { status: "expired" | "revoked"; link: null }
  | { status: "unknown"; link: null };

const SHARE_VISITOR: Actor = { type: "anonymous", id: null, label: "share-link visitor", role: null };

/**
 * Resolves a token from a URL. The lookup goes through its sha256, so response time does not depend on how much
 * of a guessed token matches a real one. Every use of an existing link is recorded, refused ones included.
 */
export async function openShareLink(db: Db, input: { token: string; ip: string | null; now?: Date }): Promise<OpenedShareLink> {
  const now = input.now ?? new Date();
  const parsed = ShareTokenSchema.safeParse(input.token);
  const row = await db.shareLink.findUnique({ where: { tokenHash: hashShareToken(parsed.success ? parsed.data : input.token) }, select: SUMMARY_SELECT });
  if (!parsed.success || !row) return { status: "unknown", link: null };
  const status = getShareLinkStatus(row, now);
  if (status !== "active") {
    await recordAuditEvent(db, { action: "share_link.refused", actor: SHARE_VISITOR, ip: input.ip, target: { type: "share_link", id: row.id }, details: { deviceId: row.deviceId, status } });
    return { status, link: null };
  }
  const updated = await db.$transaction(async (tx) => {
    const next = await tx.shareLink.update({ where: { id: row.id }, data: { lastUsedAt: now, useCount: { increment: 1 } }, select: SUMMARY_SELECT });
    await recordAuditEvent(tx, { action: "share_link.accessed", actor: SHARE_VISITOR, ip: input.ip, target: { type: "share_link", id: row.id }, details: { deviceId: row.deviceId } });
    return next;
  });
  return { status: "active", link: toSummary(updated, now) };
}
