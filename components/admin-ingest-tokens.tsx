"use client";

import { useRef, useState, type FormEvent } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { IngestTokenSummary } from "@/lib/ingest/ingest-tokens.ts";
import { buildWebhookCurlExample, type IngestSourceChoice } from "@/lib/ingest/webhook-example.ts";
import { formatTimestamp } from "./format.ts";
import { MutationError } from "./mutation-error.tsx";
import { CopyableSecret, TokenShownOnce, TokenTable } from "./token-admin.tsx";
import type { DataTableColumn } from "./data-table.tsx";
import { useApiWrite } from "./use-api-write.ts";

type IngestTokenRow = Jsonify<IngestTokenSummary>;

export function AdminIngestTokens({ initialTokens, sources }: { initialTokens: IngestTokenRow[]; sources: IngestSourceChoice[] }) {
  const create = useApiWrite<{ token: string; ingestToken: IngestTokenRow }>({ refreshPage: true });
  const revoke = useApiWrite({ refreshPage: true });
  const formRef = useRef<HTMLFormElement>(null);
  const [created, setCreated] = useState<{ id: string; source: IngestSourceChoice; token: string; curl: string } | null>(null);
  const titleOf = (name: string) => sources.find((source) => source.name === name)?.title ?? name;

  function createToken(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body = { source: String(form.get("source") ?? ""), label: String(form.get("label") ?? "") };
    create.mutate(
      { method: "POST", url: "/api/v1/admin/ingest-tokens", body },
      {
        onSuccess: (result) => {
          const source = sources.find((choice) => choice.name === result?.ingestToken.source);
          if (result && source) {
            setCreated({
              id: result.ingestToken.id,
              source,
              token: result.token,
              curl: buildWebhookCurlExample(window.location.origin, source, result.token),
            });
          }
          formElement.reset();
        },
      },
    );
  }

  const columns: DataTableColumn<IngestTokenRow>[] = [
    { header: "ID", cell: (token) => token.id, className: "mono" },
    {
      header: "Source",
      cell: (token) => (
        <>
          {titleOf(token.source)} <span className="muted mono">{token.source}</span>
        </>
      ),
    },
    { header: "Label", cell: (token) => token.label ?? <span className="muted">—</span> },
  ];

  return (
    <>
      <section className="panel" aria-labelledby="new-ingest-token-heading">
        <h2 id="new-ingest-token-heading">Create an ingest token</h2>
        <form ref={formRef} className="admin-form" onSubmit={createToken}>
          <label>
            Source
            <select name="source" required defaultValue={sources[0]?.name}>
              {sources.map((source) => (
                <option key={source.name} value={source.name} title={source.description}>
                  {source.title} ({source.name})
                </option>
              ))}
            </select>
          </label>
          <label>
            Label
            <input name="label" maxLength={100} placeholder="e.g. production IoT rule" />
          </label>
          <button className="button button-primary" type="submit">
            Create ingest token
          </button>
        </form>
        <MutationError error={create.error ?? revoke.error} form={formRef} />
        {created ? (
          <TokenShownOnce
            intro={
              <>
                Ingest token <strong className="mono">{created.id}</strong> for <strong>{created.source.title}</strong> created.
              </>
            }
            token={created.token}
            testId="new-ingest-token"
          >
            <p>Send events to this source&apos;s webhook with it:</p>
            <CopyableSecret value={created.curl} testId="new-ingest-token-curl" copyLabel="Copy command" multiline />
          </TokenShownOnce>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="ingest-tokens-heading">
        <h2 id="ingest-tokens-heading">Ingest tokens</h2>
        <TokenTable
          label="Ingest tokens"
          rows={initialTokens}
          columns={columns}
          emptyText="No ingest tokens yet."
          nameOf={(token) => (token.label ? `${token.label} (${token.id})` : token.id)}
          statusOf={(token) => (token.revokedAt ? `revoked ${formatTimestamp(token.revokedAt)}` : "active")}
          confirmRevoke={(token) => `Revoke ingest token ${token.id} for ${token.source}? Senders using it are refused (401) from now on.`}
          onRevoke={(token) => revoke.mutate({ method: "DELETE", url: `/api/v1/admin/ingest-tokens/${encodeURIComponent(token.id)}` })}
        />
      </section>
    </>
  );
}
