import type { Metadata } from "next";
import { AdminIngestTokens } from "@/components/admin-ingest-tokens.tsx";
import { AdminTabs } from "@/components/admin-tabs.tsx";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { listIngestTokens } from "@/lib/ingest/ingest-tokens.ts";
import type { IngestSourceChoice } from "@/lib/ingest/webhook-example.ts";
import { RECORD_FORMATS } from "@/lib/sources/record-formats.ts";

export const metadata: Metadata = { title: "Ingest tokens" };

export default async function AdminIngestTokensPage() {
  await requirePageUser("admin");
  const tokens = await listIngestTokens(getDb());
  const sources: IngestSourceChoice[] = Object.values(RECORD_FORMATS).map(({ name, title, description, input }) => ({
    name,
    title,
    description,
    input,
  }));
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Ingest tokens</h1>
          <p className="muted">
            For webhooks: brokers and cloud services send events to <code>POST /api/v1/ingest/&lt;source&gt;</code> with a token for that
            source. A token is shown once and stored only as a hash; <code>npm run ingest-token</code> does the same from the command line.
          </p>
        </div>
      </div>
      <AdminTabs current="/admin/ingest-tokens" />
      <AdminIngestTokens initialTokens={serializeForClient(tokens)} sources={sources} />
    </>
  );
}
