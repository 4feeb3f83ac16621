import { z } from "zod";
import { requiredTextSchema } from "@/lib/validation/visible-text.ts";
import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { generateApiTokenSecret, hashApiToken, API_TOKEN_PATTERN } from "@/lib/auth/api-token-secret.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { lowerRole, RoleSchema, type Role } from "@/lib/auth/roles.ts";
import { NotFoundError } from "@/lib/errors/domain-errors.ts";

export const CreateApiTokenSchema = z.object({
  name: requiredTextSchema(100).describe("what the token is for"),
  role: RoleSchema.describe("what the token may do: the role it acts with (viewer, support or admin)"),
  expiresInDays: z
    .number()
    .int()
    .min(1, "must be at least 1")
    .max(3650, "must be at most 3650")
    .nullable()
    .default(90)
    .describe("days until the token stops working; null: never"),
});
export type CreateApiTokenInput = z.input<typeof CreateApiTokenSchema>;

const PUBLIC_TOKEN_SELECT = {
  id: true,
  name: true,
  role: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  // The creator's role and status bound the token's (verifyApiToken), so the token list shows them.
  createdBy: { select: { email: true, role: true, disabled: true } },
} satisfies Prisma.ApiTokenSelect;
export type PublicApiToken = Prisma.ApiTokenGetPayload<{ select: typeof PUBLIC_TOKEN_SELECT }>;

/** Creates a token; `token` is returned this once and only its hash is stored. */
export async function createApiToken(
  db: Db,
  input: CreateApiTokenInput,
  actor: Actor,
  ip?: string | null,
  now = new Date(),
): Promise<{ token: string; apiToken: PublicApiToken }> {
  const data = CreateApiTokenSchema.parse(input);
  const { token, tokenHash, prefix } = generateApiTokenSecret();
  const expiresAt = data.expiresInDays === null ? null : new Date(now.getTime() + data.expiresInDays * 86_400_000);
  const apiToken = await db.$transaction(async (tx) => {
    // A token made with a token belongs to that token's creator, so it is bound by the same account.
    const createdById =
      actor.type === "user"
        ? actor.id
        : actor.type === "token" && actor.id
          ? ((await tx.apiToken.findUnique({ where: { id: actor.id }, select: { createdById: true } }))?.createdById ?? null)
          : null;
    const created = await tx.apiToken.create({
      data: { name: data.name, role: data.role, tokenHash, prefix, expiresAt, createdById },
      select: PUBLIC_TOKEN_SELECT,
    });
    await recordAuditEvent(tx, {
      action: "token.created",
      actor,
      target: { type: "api_token", id: created.id },
      ip,
      details: { name: created.name, role: created.role, prefix },
    });
    return created;
  });
  return { token, apiToken };
}

export async function listApiTokens(db: Db): Promise<PublicApiToken[]> {
  return db.apiToken.findMany({ select: PUBLIC_TOKEN_SELECT, orderBy: { createdAt: "desc" } });
}

export async function revokeApiToken(db: Db, tokenId: string, actor: Actor, ip?: string | null, now = new Date()): Promise<PublicApiToken> {
  return db.$transaction(async (tx) => {
    const existing = await tx.apiToken.findUnique({ where: { id: tokenId }, select: { id: true, revokedAt: true, name: true } });
    if (!existing) throw new NotFoundError("token_not_found", "No API token with this ID.", { tokenId });
    if (existing.revokedAt) return tx.apiToken.findUniqueOrThrow({ where: { id: tokenId }, select: PUBLIC_TOKEN_SELECT });
    const revoked = await tx.apiToken.update({ where: { id: tokenId }, data: { revokedAt: now }, select: PUBLIC_TOKEN_SELECT });
    await recordAuditEvent(tx, {
      action: "token.revoked",
      actor,
      target: { type: "api_token", id: tokenId },
      ip,
      details: { name: existing.name },
    });
    return revoked;
  });
}

export type TokenCheck =
  | { ok: true; token: { id: string; name: string; role: Role } }
  | { ok: false; reason: "malformed" | "unknown" | "revoked" | "expired" | "creator_disabled"; tokenId?: string };

// Audit a token's use at most this often, so automation polling every few seconds does not flood the log.
const USE_AUDIT_INTERVAL_MS = 60 * 60_000;

/**
 * A token acts with its own role, but never above its creator's current one, and stops with its creator's account:
 * otherwise an admin about to be demoted or disabled could keep admin access through a token made beforehand.
 * Tokens without a creator (made by the first-run setup or a script) keep their role.
 */
export async function verifyApiToken(db: Db, token: string, ip: string | null, now = new Date()): Promise<TokenCheck> {
  if (!API_TOKEN_PATTERN.test(token)) return { ok: false, reason: "malformed" };
  const found = await db.apiToken.findUnique({
    where: { tokenHash: hashApiToken(token) },
    include: { createdBy: { select: { role: true, disabled: true } } },
  });
  if (!found) return { ok: false, reason: "unknown" };
  if (found.revokedAt) return { ok: false, reason: "revoked", tokenId: found.id };
  if (found.expiresAt && found.expiresAt <= now) return { ok: false, reason: "expired", tokenId: found.id };
  if (found.createdBy?.disabled) return { ok: false, reason: "creator_disabled", tokenId: found.id };
  const role = found.createdBy ? lowerRole(found.role, found.createdBy.role) : found.role;
  const auditUse = !found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() >= USE_AUDIT_INTERVAL_MS;
  await db.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: now } });
  if (auditUse) {
    await recordAuditEvent(db, {
      action: "token.used",
      actor: { type: "token", id: found.id, label: `token ${found.name}`, role },
      target: { type: "api_token", id: found.id },
      ip,
    });
  }
  return { ok: true, token: { id: found.id, name: found.name, role } };
}
