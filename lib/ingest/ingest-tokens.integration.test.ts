import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor.ts";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { createIngestToken, hashIngestToken, listIngestTokens, revokeIngestToken, verifyIngestToken } from "./ingest-tokens.ts";

// The verbs the admin API and the CLI share: create → verify for its source only → revoke → refused; audited
// with the actor, never with the token.
const testDb = useTestDatabase();
const admin: Actor = { type: "user", id: randomUUID(), label: "admin@example.com", role: "admin" };

async function auditRowsFor(id: string) {
  return testDb.db.auditEvent.findMany({ where: { targetType: "ingest_token", targetId: id }, orderBy: { id: "asc" } });
}

describe("ingest token verbs", () => {
  it("a token works for its own source only, until it is revoked; both steps are audited with the actor", async () => {
    const { token, ingestToken } = await createIngestToken(testDb.db, { source: "emqx", label: "  plant A  " }, admin, "192.0.2.7");
    expect(token).toMatch(new RegExp(`^lsit_${ingestToken.id}_[A-Za-z0-9_-]{43}$`));
    expect(ingestToken).toMatchObject({ source: "emqx", label: "plant A", revokedAt: null, lastUsedAt: null });

    expect(await verifyIngestToken(testDb.db, "emqx", token)).toBe(true);
    expect(await verifyIngestToken(testDb.db, "aws-iot", token)).toBe(false);
    expect(await verifyIngestToken(testDb.db, "emqx", `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`)).toBe(false);
    const [used] = (await listIngestTokens(testDb.db)).filter((row) => row.id === ingestToken.id);
    expect(used?.lastUsedAt).toBeInstanceOf(Date);

    const revoked = await revokeIngestToken(testDb.db, ingestToken.id, admin, "192.0.2.7");
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await verifyIngestToken(testDb.db, "emqx", token)).toBe(false);

    const audit = await auditRowsFor(ingestToken.id);
    expect(audit.map((row) => [row.action, row.actorType, row.actorId, row.actorLabel, row.ip])).toEqual([
      ["ingest_token.created", "user", admin.id, admin.label, "192.0.2.7"],
      ["ingest_token.revoked", "user", admin.id, admin.label, "192.0.2.7"],
    ]);
    expect(audit[0]?.details).toEqual({ source: "emqx", label: "plant A" });
    const auditText = JSON.stringify(audit, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value));
    expect(auditText).not.toContain(token.slice(16));
    expect(auditText).not.toContain(hashIngestToken(token));
  });

  it("revoking an unknown or already revoked token is a 404 and audits nothing more", async () => {
    const { ingestToken } = await createIngestToken(testDb.db, { source: "hivemq" }, CLI_ACTOR);
    await revokeIngestToken(testDb.db, ingestToken.id, CLI_ACTOR);
    for (const id of [ingestToken.id, "zzzzzzzzzz", "not an id at all"]) {
      await expect(revokeIngestToken(testDb.db, id, CLI_ACTOR)).rejects.toMatchObject({
        kind: "not_found",
        code: "ingest_token_not_found",
      });
    }
    expect((await auditRowsFor(ingestToken.id)).map((row) => [row.action, row.actorType, row.actorLabel])).toEqual([
      ["ingest_token.created", "cli", "command line"],
      ["ingest_token.revoked", "cli", "command line"],
    ]);
  });

  it("refuses an unknown source as invalid input with a readable message and creates nothing", async () => {
    const before = await testDb.db.ingestToken.count();
    const failure = await createIngestToken(testDb.db, { source: "smtp" }, admin).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidInputError);
    expect(failure).toMatchObject({ kind: "invalid", message: expect.stringMatching(/^source: must be one of .*aws-iot.*emqx/) });
    await expect(createIngestToken(testDb.db, { source: "emqx", label: "x".repeat(101) }, admin)).rejects.toMatchObject({
      kind: "invalid",
    });
    expect(await testDb.db.ingestToken.count()).toBe(before);
  });

  it("listing shows id, source, label and times, never the hash or the token", async () => {
    const { token, ingestToken } = await createIngestToken(testDb.db, { source: "aws-iot", label: "list check" }, admin);
    const listed = await listIngestTokens(testDb.db);
    const row = listed.find((entry) => entry.id === ingestToken.id);
    expect(row && Object.keys(row).sort()).toEqual(["createdAt", "id", "label", "lastUsedAt", "revokedAt", "source"]);
    const text = JSON.stringify(listed);
    expect(text).not.toContain(hashIngestToken(token));
    expect(text).not.toContain(token.slice(16));
    expect(text).not.toMatch(/tokenHash|token_hash/);
  });

  it("a storm of valid posts writes the token's row at most once a minute (its last use, to the minute)", async () => {
    const { token, ingestToken } = await createIngestToken(testDb.db, { source: "emqx" }, CLI_ACTOR);
    const rowVersion = async () =>
      (await testDb.db.$queryRaw<{ xmin: string }[]>`SELECT xmin::text AS xmin FROM ingest_tokens WHERE id = ${ingestToken.id}`)[0]?.xmin;
    const start = new Date();
    expect(await verifyIngestToken(testDb.db, "emqx", token, start)).toBe(true);
    const written = await rowVersion();
    for (let second = 1; second < 60; second++) {
      expect(await verifyIngestToken(testDb.db, "emqx", token, new Date(start.getTime() + second * 1000))).toBe(true);
    }
    expect(await rowVersion()).toBe(written);
    const later = new Date(start.getTime() + 61_000);
    expect(await verifyIngestToken(testDb.db, "emqx", token, later)).toBe(true);
    expect(await rowVersion()).not.toBe(written);
    const [row] = (await listIngestTokens(testDb.db)).filter((summary) => summary.id === ingestToken.id);
    expect(row?.lastUsedAt).toEqual(later);
  });
});
