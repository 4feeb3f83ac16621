import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { createDb } from "@/lib/db/client.ts";
import { createIngestToken, listIngestTokens, revokeIngestToken } from "@/lib/ingest/ingest-tokens.ts";
import { RECORD_FORMATS } from "@/lib/sources/record-formats.ts";

// `npm run ingest-token -- create <source> [label]` | `list` | `revoke <id>`. The token is printed once and only
// its SHA-256 is stored, so a lost token is revoked and replaced, never recovered.
const [command, arg, ...rest] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) fail("DATABASE_URL is not set. For `npm start`'s embedded database, use the URL the launcher logs as \"embedded Postgres (PGlite) started\".");
const usage = "usage: npm run ingest-token -- create <source> [label] | list | revoke <id>";
const db = createDb(databaseUrl, 1);

try {
  if (command === "create") {
    if (!arg || !Object.hasOwn(RECORD_FORMATS, arg)) fail(`create needs a source, one of: ${Object.keys(RECORD_FORMATS).join(", ")}\n${usage}`);
    const { id, token } = await createIngestToken(db, { source: arg, label: rest.join(" ") || null });
    await recordAuditEvent(db, { action: "ingest_token.created", actor: CLI_ACTOR, target: { type: "ingest_token", id }, details: { source: arg } });
    console.log(`Created ingest token ${id} for source "${arg}". It is shown only now; store it in the sender's secret store:\n\n${token}\n`);
    console.log(`Use it as:  curl -H "Authorization: Bearer <token>" -H "Content-Type: application/json" --data @events.json <linkscope>/api/v1/ingest/${arg}`);
  } else if (command === "list") {
    for (const t of await listIngestTokens(db)) {
      console.log([t.id, t.source, t.revokedAt ? "revoked" : "active", `created ${t.createdAt.toISOString()}`, `last used ${t.lastUsedAt?.toISOString() ?? "never"}`, t.label ?? ""].join("\t"));
    }
  } else if (command === "revoke") {
    if (!arg) fail(usage);
    const revoked = await revokeIngestToken(db, arg);
    if (revoked) await recordAuditEvent(db, { action: "ingest_token.revoked", actor: CLI_ACTOR, target: { type: "ingest_token", id: arg } });
    console.log(revoked ? `revoked ${arg}` : `no active token ${arg}`);
  } else fail(usage);
} finally {
  await db.$disconnect();
}

function fail(message: string): never {
  console.error(`ingest-token: ${message}`);
  process.exit(1);
}
