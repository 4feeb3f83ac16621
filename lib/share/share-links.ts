import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getShareTokenLimiter } from "@/lib/auth/rate-limiter.ts";
import type { Db } from "@/lib/db/client.ts";
import { InvalidInputError, NotFoundError } from "@/lib/errors/domain-errors.ts";
import {
  computeShareExpiry,
  generateShareToken,
  getShareLinkStatus,
  hashShareToken,
  MAX_SHARE_WINDOW_MS,
  ShareTokenSchema,
  type ShareLinkStatus,
} from "./share-token.ts";

/**
 * What the device and incident pages and the API show about a link; never the token or its hash. A link scopes
 * either one device over a window (deviceId, windowFrom, windowTo) or one incident (incidentId).
 */
export type ShareLinkSummary = {
  id: string;
  deviceId: string | null;
  windowFrom: Date | null;
  windowTo: Date | null;
  incidentId: string | null;
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
  incidentId: true,
  createdByLabel: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  useCount: true,
} as const;

type SummaryRow = Omit<ShareLinkSummary, "status">;
const toSummary = (row: SummaryRow, now: Date): ShareLinkSummary => ({ ...row, status: getShareLinkStatus(row, now) });

/** What one link opens: a device over a window, or an incident. */
export type ShareScope = { deviceId: string; from: Date; to: Date } | { incidentId: string };
type ScopeFilter = { deviceId: string } | { incidentId: string };

export type CreateShareLinkInput = { expiresInHours: number; actor: Actor; ip: string | null; now?: Date } & ShareScope;

const scopeDetails = (row: { deviceId: string | null; incidentId: string | null }): Record<string, string | null> =>
  row.incidentId !== null ? { incidentId: row.incidentId } : { deviceId: row.deviceId };

/** The link's scope as one of its two shapes (the CHECK constraint guarantees one of them is complete). */
export function getShareScope(link: Pick<ShareLinkSummary, "deviceId" | "windowFrom" | "windowTo" | "incidentId">): ShareScope {
  if (link.incidentId !== null) return { incidentId: link.incidentId };
  if (link.deviceId === null || link.windowFrom === null || link.windowTo === null) throw new Error("share link without a scope");
  return { deviceId: link.deviceId, from: link.windowFrom, to: link.windowTo };
}

/** Creates the link and returns its token, the only time the token exists outside the caller's hands. */
export async function createShareLink(db: Db, input: CreateShareLinkInput): Promise<{ link: ShareLinkSummary; token: string }> {
  const now = input.now ?? new Date();
  if ("deviceId" in input) {
    if (input.to.getTime() <= input.from.getTime()) throw new InvalidInputError("invalid_window", "`to` must be after `from`.");
    if (input.to.getTime() - input.from.getTime() > MAX_SHARE_WINDOW_MS)
      throw new InvalidInputError("invalid_window", "A shared window can span at most 92 days.");
  }
  const scope =
    "deviceId" in input ? { deviceId: input.deviceId, windowFrom: input.from, windowTo: input.to } : { incidentId: input.incidentId };
  const { token, tokenHash } = generateShareToken();
  const link = await db.$transaction(async (tx) => {
    const row = await tx.shareLink.create({
      data: {
        tokenHash,
        ...scope,
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
      details: {
        ...scopeDetails(row),
        from: row.windowFrom?.toISOString() ?? null,
        to: row.windowTo?.toISOString() ?? null,
        expiresAt: row.expiresAt.toISOString(),
      },
    });
    return row;
  });
  return { link: toSummary(link, now), token };
}

/** The links of one device or one incident, newest first. */
export async function listShareLinks(db: Db, scope: ScopeFilter, now = new Date()): Promise<ShareLinkSummary[]> {
  const rows = await db.shareLink.findMany({
    where: scope,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 100,
    select: SUMMARY_SELECT,
  });
  return rows.map((row) => toSummary(row, now));
}

export const listDeviceShareLinks = (db: Db, deviceId: string, now = new Date()) => listShareLinks(db, { deviceId }, now);

/** Revokes at once; revoking a revoked link is a no-op that keeps the first revocation time. */
export async function revokeShareLink(
  db: Db,
  input: ScopeFilter & { linkId: string; actor: Actor; ip: string | null; now?: Date },
): Promise<ShareLinkSummary> {
  const now = input.now ?? new Date();
  const scope: ScopeFilter = "deviceId" in input ? { deviceId: input.deviceId } : { incidentId: input.incidentId };
  return db.$transaction(async (tx) => {
    const existing = await tx.shareLink.findFirst({ where: { id: input.linkId, ...scope }, select: SUMMARY_SELECT });
    if (!existing)
      throw new NotFoundError("share_link_not_found", `No such share link for this ${"deviceId" in scope ? "device" : "incident"}.`);
    if (existing.revokedAt) return toSummary(existing, now);
    const row = await tx.shareLink.update({ where: { id: existing.id }, data: { revokedAt: now }, select: SUMMARY_SELECT });
    await recordAuditEvent(tx, {
      action: "share_link.revoked",
      actor: input.actor,
      ip: input.ip,
      target: { type: "share_link", id: row.id },
      details: scopeDetails(row),
    });
    return toSummary(row, now);
  });
}

export type OpenedShareLink =
  { status: "active"; link: ShareLinkSummary } | { status: "expired" | "revoked"; link: null } | { status: "unknown"; link: null };

const SHARE_VISITOR: Actor = { type: "anonymous", id: null, label: "share-link visitor", role: null };

/**
 * Resolves a token from a URL. The lookup goes through its sha256, so response time does not depend on how much
 * of a guessed token matches a real one. Every use of an existing link is recorded, refused ones included.
 */
export async function openShareLink(db: Db, input: { token: string; ip: string | null; now?: Date }): Promise<OpenedShareLink> {
  const now = input.now ?? new Date();
  const checked = await checkShareToken(db, { ...input, now });
  if (checked.status !== "active") return { status: checked.status, link: null };
  const row = checked.row;
  const updated = await db.$transaction(async (tx) => {
    const next = await tx.shareLink.update({
      where: { id: row.id },
      data: { lastUsedAt: now, useCount: { increment: 1 } },
      select: SUMMARY_SELECT,
    });
    await recordAuditEvent(tx, {
      action: "share_link.accessed",
      actor: SHARE_VISITOR,
      ip: input.ip,
      target: { type: "share_link", id: row.id },
      details: scopeDetails(row),
    });
    return next;
  });
  return { status: "active", link: toSummary(updated, now) };
}

export type ScreenedShareVisit = Awaited<ReturnType<typeof checkShareToken>> | { status: "rate_limited"; retryAfterSeconds: number };

/**
 * The proxy's gate for a share page: each visit is counted against its address before the token is looked up (one
 * atomic upsert, so a concurrent burst of guesses gets no more lookups than the limit), and a link that opens gives
 * its visit back. Refused tokens are limited like API tokens; visits of a valid link are not.
 */
export async function screenShareVisit(db: Db, input: { token: string; ip: string | null; now?: Date }): Promise<ScreenedShareVisit> {
  const limiter = getShareTokenLimiter(db);
  const key = input.ip ?? "unknown";
  const limit = await limiter.hit(key);
  if (limit.limited) return { status: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };
  const checked = await checkShareToken(db, input);
  if (checked.status === "active") await limiter.release(key);
  return checked;
}

/**
 * Whether a token opens anything, without counting a visit; a refused use of an existing link is recorded.
 * The proxy asks this first so refusals can answer 404 / 410 (a page cannot choose its status).
 */
export async function checkShareToken(
  db: Db,
  input: { token: string; ip: string | null; now?: Date },
): Promise<{ status: "active"; row: SummaryRow } | { status: "expired" | "revoked" | "unknown"; row: null }> {
  const now = input.now ?? new Date();
  const parsed = ShareTokenSchema.safeParse(input.token);
  const row = await db.shareLink.findUnique({
    where: { tokenHash: hashShareToken(parsed.success ? parsed.data : input.token) },
    select: SUMMARY_SELECT,
  });
  if (!parsed.success || !row) return { status: "unknown", row: null };
  const status = getShareLinkStatus(row, now);
  if (status === "active") return { status, row };
  await recordAuditEvent(db, {
    action: "share_link.refused",
    actor: SHARE_VISITOR,
    ip: input.ip,
    target: { type: "share_link", id: row.id },
    details: { ...scopeDetails(row), status },
  });
  return { status, row: null };
}
