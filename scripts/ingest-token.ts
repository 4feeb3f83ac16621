import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { DomainError } from "@/lib/errors/domain-errors.ts";
import { createDb } from "@/lib/db/client.ts";
import {} from "@/lib/errors/domain-errors.ts";
import { createIngestToken, listIngestTokens, revokeIngestToken } from "@/lib/ingest/ingest-tokens.ts";

// `npm run ingest-token -- create <source> [label]` | `list` | `revoke <id>`. The token is printed once and only
// its SHA-256 is stored, so a lost token is revoked and replaced, never recovered. The admin page
// /admin/ingest-tokens does the same through the same lib verbs.
const [command, arg, ...rest] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl)
  fail(
    'DATABASE_URL is not set. For `npm start`\'s embedded database, use the URL the launcher logs as "embedded Postgres (PGlite) started".',
  );
const usage = "usage: npm run ingest-token -- create <source> [label] | list | revoke <id>";
const db = createDb(databaseUrl, 1);

try {
  if (command === "create") {
    const { ingestToken, token } = await createIngestToken(db, { source: arg ?? "", label: rest.join(" ") || null }, CLI_ACTOR);
    console.log(
      `Created ingest token ${ingestToken.id} for source "${ingestToken.source}". It is shown only now; store it in the sender's secret store:\n\n${token}\n`,
    );
    console.log(
      `Use it as:  curl -H "Authorization: Bearer <token>" -H "Content-Type: application/json" --data-binary @events.json <linkscope>/api/v1/ingest/${ingestToken.source}`,
    );
  } else if (command === "list") {
    for (const t of await listIngestTokens(db)) {
      console.log(
        [
          t.id,
          t.source,
          t.revokedAt ? "revoked" : "active",
          `created ${t.createdAt.toISOString()}`,
          `last used ${t.lastUsedAt?.toISOString() ?? "never"}`,
          t.label ?? "",
        ].join("\t"),
      );
    }
  } else if (command === "revoke") {
    if (!arg) fail(usage);
    await revokeIngestToken(db, arg, CLI_ACTOR);
    console.log(`revoked ${arg}`);
  } else fail(usage);
} catch (error) {
  // Bad input and unknown IDs are DomainErrors with a readable message; anything else is a real failure.
  if (error instanceof DomainError) fail(`${error.message}\n${usage}`);
  throw error;
} finally {
  await db.$disconnect();
}

function fail(message: string): never {
  console.error(`ingest-token: ${message}`);
  process.exit(1);
}
