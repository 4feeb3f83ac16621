import type { Metadata } from "next";
import { connection } from "next/server";
import { DeadLettersPanel } from "@/components/dead-letters-panel.tsx";
import { ImportUpload } from "@/components/import-upload.tsx";
import { RecentImports } from "@/components/recent-imports.tsx";
import { IMPORT_ROLE } from "@/lib/ingest/import-uploads.ts";
import { IngestHealthPanel } from "@/components/ingest-health-panel.tsx";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getIngestHealth } from "@/lib/queries/get-ingest-health.ts";
import {
  countOpenDeadLetters,
  DEAD_LETTERS_READ_ROLE,
  DEAD_LETTERS_REPROCESS_ROLE,
  listDeadLetters,
} from "@/lib/queries/list-dead-letters.ts";
import { RECORD_FORMATS } from "@/lib/sources/record-formats.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";

export const metadata: Metadata = { title: "Ingest health" };

export default async function IngestHealthPage() {
  const user = await requirePageUser();
  await connection();
  const db = getDb();
  const canReadDeadLetters = hasRole(user.role, DEAD_LETTERS_READ_ROLE);
  const canImport = hasRole(user.role, IMPORT_ROLE);
  const [health, deadLetters, openDeadLetters] = await Promise.all([
    getIngestHealth(db, { minutes: 60 }),
    canReadDeadLetters ? listDeadLetters(db, { limit: 50 }) : null,
    canReadDeadLetters ? null : countOpenDeadLetters(db),
  ]);
  const formats = Object.values(RECORD_FORMATS).map((f) => ({ name: f.name, description: f.description }));
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Ingest health</h1>
          <p className="muted">Every source Linkscope reads: live MQTT, webhooks and imports. Last hour, UTC.</p>
        </div>
      </div>
      <section className="panel" aria-labelledby="sources-heading">
        <div className="panel-header">
          <h2 id="sources-heading">Sources</h2>
          <p className="muted">lag = received − occurred (live sources only)</p>
        </div>
        <IngestHealthPanel initialData={serializeForClient(health)} />
      </section>
      <section className="panel" aria-labelledby="import-heading">
        <div className="panel-header">
          <h2 id="import-heading">Import a log file</h2>
          <p className="muted">re-importing the same file adds nothing; large files: npm run import</p>
        </div>
        {canImport ? (
          <ImportUpload formats={formats} />
        ) : (
          <p role="note" className="muted">
            Importing files needs the {IMPORT_ROLE} role; you are signed in as a {user.role}. Ask an admin, or use{" "}
            <code>npm run import</code> on the server.
          </p>
        )}
        <RecentImports canDiscard={canImport} />
      </section>
      <section className="panel" aria-labelledby="dead-letters-heading">
        <div className="panel-header">
          <h2 id="dead-letters-heading">Dead letters</h2>
          <p className="muted">inputs no adapter could read, with the reason; nothing is dropped silently</p>
        </div>
        {deadLetters ? (
          <DeadLettersPanel
            initialData={serializeForClient({ deadLetters })}
            canReprocess={hasRole(user.role, DEAD_LETTERS_REPROCESS_ROLE)}
          />
        ) : (
          <p role="note">
            {openDeadLetters === 1 ? "1 open dead letter" : `${openDeadLetters ?? 0} open dead letters`}. Their payloads are raw input that
            can carry credentials, so only {DEAD_LETTERS_READ_ROLE} staff and admins can read them.
          </p>
        )}
      </section>
    </>
  );
}
