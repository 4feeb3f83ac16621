import { randomBytes } from "node:crypto";
import { generateSecretPart, hashSecretToken, SECRET_PART_PATTERN } from "@/lib/security/secret-token.ts";
import type { Db } from "@/lib/db/client.ts";

/** Token shape: `lsit_<id>_<secret>`; the id is public (listing, revoking), the secret is never stored. */
const TOKEN_PATTERN = new RegExp(`^lsit_([a-z0-9]{10})_${SECRET_PART_PATTERN}$`);

export const hashIngestToken = hashSecretToken;

export async function createIngestToken(db: Db, input: { source: string; label?: string | null }): Promise<{ id: string; token: string }> {
  const id = randomBytes(8).toString("hex").slice(0, 10).replace(/[^a-z0-9]/g, "0");
  const token = `lsit_${id}_${generateSecretPart()}`;
  await db.ingestToken.create({ data: { id, source: input.source, label: input.label ?? null, tokenHash: hashIngestToken(token) } });
  return { id, token };
}

/**
 * True when `token` is a live token for `source`. Lookup is by hash, so the comparison never touches the secret
 * itself; a malformed token is refused before any query.
 */
export async function verifyIngestToken(db: Db, source: string, token: string | null): Promise<boolean> {
  if (!token || !TOKEN_PATTERN.test(token)) return false;
  const row = await db.ingestToken.findUnique({ where: { tokenHash: hashIngestToken(token) } });
  if (!row || row.revokedAt !== null || row.source !== source) return false;
  await db.ingestToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return true;
}

export async function revokeIngestToken(db: Db, id: string): Promise<boolean> {
  const result = await db.ingestToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  return result.count > 0;
}

export type IngestTokenSummary = { id: string; source: string; label: string | null; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };

export async function listIngestTokens(db: Db): Promise<IngestTokenSummary[]> {
  return db.ingestToken.findMany({
    select: { id: true, source: true, label: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    orderBy: { createdAt: "desc" },
  });
}
