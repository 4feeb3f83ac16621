import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { getIngestTokenLimiter } from "@/lib/auth/rate-limiter.ts";
import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import { NotFoundError } from "@/lib/errors/domain-errors.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import { generateSecretPart, hashSecretToken, SECRET_PART_PATTERN } from "@/lib/security/secret-token.ts";
import { RECORD_FORMATS } from "@/lib/sources/record-formats.ts";

/** Token shape: `lsit_<id>_<secret>`; the id is public (listing, revoking), the secret is never stored. */
const TOKEN_PATTERN = new RegExp(`^lsit_([a-z0-9]{10})_${SECRET_PART_PATTERN}$`);

export const hashIngestToken = hashSecretToken;

const INGEST_SOURCES = Object.keys(RECORD_FORMATS);

export const CreateIngestTokenSchema = z.object({
  source: z
    .string()
    .refine((source) => Object.hasOwn(RECORD_FORMATS, source), { error: `must be one of ${INGEST_SOURCES.join(", ")}` })
    .describe("the only webhook source the token may post to: POST /api/v1/ingest/{source}"),
  label: z
    .string()
    .trim()
    .max(100, "must be at most 100 characters")
    .nullish()
    .transform((label) => label || null)
    .describe("what the token is for, e.g. the rule or function that posts with it"),
});
export type CreateIngestTokenInput = z.input<typeof CreateIngestTokenSchema>;

const SUMMARY_SELECT = {
  id: true,
  source: true,
  label: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} satisfies Prisma.IngestTokenSelect;
/** What listing and the API show of a token: never its hash. */
export type IngestTokenSummary = Prisma.IngestTokenGetPayload<{ select: typeof SUMMARY_SELECT }>;

/**
 * Creates a token for one source and audits it (the CLI and the admin API both come here); `token` is returned
 * this once and only its SHA-256 is stored. An unknown source is a 400 with the known ones listed.
 */
export async function createIngestToken(
  db: Db,
  input: CreateIngestTokenInput,
  actor: Actor,
  ip?: string | null,
): Promise<{ token: string; ingestToken: IngestTokenSummary }> {
  const data = parseInput(CreateIngestTokenSchema, input);
  const id = randomBytes(5).toString("hex");
  const token = `lsit_${id}_${generateSecretPart()}`;
  const ingestToken = await db.$transaction(async (tx) => {
    const created = await tx.ingestToken.create({
      data: { id, source: data.source, label: data.label, tokenHash: hashIngestToken(token) },
      select: SUMMARY_SELECT,
    });
    await recordAuditEvent(tx, {
      action: "ingest_token.created",
      actor,
      target: { type: "ingest_token", id },
      ip,
      details: { source: data.source, label: data.label },
    });
    return created;
  });
  return { token, ingestToken };
}

/**
 * True when `token` is a live token for `source`. Lookup is by hash, so the comparison never touches the secret
 * itself; a malformed token is refused before any query.
 */
export async function verifyIngestToken(db: Db, source: string, token: string | null, now = new Date()): Promise<boolean> {
  if (!token || !TOKEN_PATTERN.test(token)) return false;
  const row = await db.ingestToken.findUnique({ where: { tokenHash: hashIngestToken(token) } });
  if (!row || row.revokedAt !== null || row.source !== source) return false;
  // A broker in a reconnect storm posts thousands of times a minute with one token: writing its row each time
  // would queue them all on that row's lock. "Last used" is shown to the minute.
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await db.ingestToken.updateMany({
    where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] },
    data: { lastUsedAt: now },
  });
  return true;
}

const LAST_USED_RESOLUTION_MS = 60_000;

export type ScreenedIngestToken = { status: "accepted" | "refused" } | { status: "rate_limited"; retryAfterSeconds: number };

/**
 * The ingest route's gate: refused tokens are counted per client address, and an address over its limit is
 * answered without a look-up. Only refusals are counted (decision 085): counting every attempt first and giving
 * valid ones back, as API tokens do, holds an attempt per request in flight, so a broker posting a reconnect
 * storm concurrently with its valid token would be refused. A concurrent burst of wrong tokens can get a look-up
 * each, but no more than the limit of them are answered 401; the rest get 429 like everything after them.
 */
export async function screenIngestToken(
  db: Db,
  input: { source: string; token: string | null; ip: string | null },
): Promise<ScreenedIngestToken> {
  const limiter = getIngestTokenLimiter(db);
  const key = input.ip ?? "unknown";
  const before = await limiter.check(key);
  if (before.limited) return { status: "rate_limited", retryAfterSeconds: before.retryAfterSeconds };
  if (await verifyIngestToken(db, input.source, input.token)) return { status: "accepted" };
  const counted = await limiter.hit(key);
  return counted.limited ? { status: "rate_limited", retryAfterSeconds: counted.retryAfterSeconds } : { status: "refused" };
}

/** Revokes at once and audits it; 404 when no active token has this id (unknown or already revoked). */
export async function revokeIngestToken(
  db: Db,
  id: string,
  actor: Actor,
  ip?: string | null,
  now = new Date(),
): Promise<IngestTokenSummary> {
  return db.$transaction(async (tx) => {
    const result = await tx.ingestToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
    if (result.count === 0)
      throw new NotFoundError("ingest_token_not_found", "No active ingest token with this ID (unknown or already revoked).", {
        id: id.slice(0, 100),
      });
    await recordAuditEvent(tx, { action: "ingest_token.revoked", actor, target: { type: "ingest_token", id }, ip });
    return tx.ingestToken.findUniqueOrThrow({ where: { id }, select: SUMMARY_SELECT });
  });
}

export async function listIngestTokens(db: Db): Promise<IngestTokenSummary[]> {
  return db.ingestToken.findMany({ select: SUMMARY_SELECT, orderBy: { createdAt: "desc" } });
}
