import type { Metadata } from "next";
import { connection } from "next/server";
import { DeadLettersPanel } from "@/components/dead-letters-panel.tsx";
import { ImportUpload } from "@/components/import-upload.tsx";
import { IngestHealthPanel } from "@/components/ingest-health-panel.tsx";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { getIngestHealth } from "@/lib/queries/get-ingest-health.ts";
import { listDeadLetters } from "@/lib/queries/list-dead-letters.ts";
import { RECORD_FORMATS } from "@/lib/sources/record-formats.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";

export const metadata: Metadata = { title: "Ingest health" };

export default async function IngestHealthPage() {
  await requirePageUser();
  await connection();
  const db = getDb();
  const [health, deadLetters] = await Promise.all([getIngestHealth(db, { minutes: 60 }), listDeadLetters(db, { limit: 50 })]);
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
        <ImportUpload formats={formats} />
      </section>
      <section className="panel" aria-labelledby="dead-letters-heading">
        <div className="panel-header">
          <h2 id="dead-letters-heading">Dead letters</h2>
          <p className="muted">inputs no adapter could read, with the reason; nothing is dropped silently</p>
        </div>
        <DeadLettersPanel initialData={serializeForClient({ deadLetters })} />
      </section>
    </>
  );
}
