"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import type { DeadLetterView } from "@/lib/queries/list-dead-letters.ts";
import { fetchJson } from "./fetch-json.ts";
import { useApiWrite } from "./use-api-write.ts";
import { QueryStatus } from "./query-status.tsx";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatTimestamp } from "./format.ts";

export type DeadLettersResponse = Jsonify<{ deadLetters: DeadLetterView[] }>;
type ReprocessResponse = { examined: number; resolved: number; events: number; stillFailing: { id: string; error: string }[] };

type DeadLetterRow = DeadLettersResponse["deadLetters"][number];

const DEAD_LETTER_COLUMNS: DataTableColumn<DeadLetterRow>[] = [
  { header: "Received", cell: (d) => formatTimestamp(d.receivedAt) },
  {
    header: "Source",
    className: "mono wrap-anywhere",
    cell: (d) => (
      <>
        {d.source}
        {d.topic ? <div className="muted">{d.topic}</div> : null}
      </>
    ),
  },
  { header: "Reason", className: "wrap-anywhere", cell: (d) => d.error },
  {
    header: "Payload",
    cell: (d) => (
      <pre className="raw-json raw-json-wrap">
        {d.payload}
        {d.payloadTruncated ? `\n… (${d.payloadBytes} bytes in all)` : ""}
      </pre>
    ),
  },
];

export const DEAD_LETTERS_KEY = ["dead-letters"] as const;

/** Open dead letters with reason and bounded, redacted payload, and (for admins) a button that runs them through today's adapters. */
export function DeadLettersPanel({ initialData, canReprocess }: { initialData: DeadLettersResponse; canReprocess: boolean }) {
  const query = useQuery({
    queryKey: DEAD_LETTERS_KEY,
    queryFn: ({ signal }) => fetchJson<DeadLettersResponse>("/api/v1/dead-letters?limit=50", signal),
    initialData,
    refetchInterval: 10_000,
  });
  const { data } = query;
  const status = <QueryStatus query={query} what="dead letters" />;
  const reprocess = useApiWrite<ReprocessResponse>({ invalidates: [DEAD_LETTERS_KEY, ["ingest-health"]] });

  return (
    <>
      {status}
      {canReprocess ? (
        <div className="toolbar">
          <button
            type="button"
            className="button"
            onClick={() => reprocess.mutate({ method: "POST", url: "/api/v1/dead-letters/reprocess", body: {} })}
            disabled={reprocess.isPending || data.deadLetters.length === 0}
          >
            {reprocess.isPending ? "Re-processing…" : "Re-process open dead letters"}
          </button>
          <span role="status" className="muted">
            {reprocess.data
              ? `${reprocess.data.examined} examined, ${reprocess.data.resolved} resolved (${reprocess.data.events} events), ${reprocess.data.stillFailing.length} still failing`
              : ""}
            {reprocess.error ? <span className="error-text">{reprocess.error.message}</span> : null}
          </span>
        </div>
      ) : null}
      <DataTable
        label="Open dead letters"
        columns={DEAD_LETTER_COLUMNS}
        rows={data.deadLetters}
        rowKey={(d) => d.id}
        emptyText="No open dead letters: every input was read."
      />
    </>
  );
}
