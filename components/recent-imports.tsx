"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import type { listImportRuns } from "@/lib/queries/list-import-runs.ts";
import { fetchJson } from "./fetch-json.ts";
import { formatCountOf, formatTimestamp } from "./format.ts";
import { MutationError } from "./mutation-error.tsx";
import { useApiWrite } from "./use-api-write.ts";

type ImportRunRow = Jsonify<Awaited<ReturnType<typeof listImportRuns>>[number]>;
export const RECENT_IMPORTS_KEY = ["imports"] as const;

/** The last imports with their counts; support can discard the dead letters of an import that went wrong. */
export function RecentImports({ canDiscard }: { canDiscard: boolean }) {
  const { data, error } = useQuery({
    queryKey: RECENT_IMPORTS_KEY,
    queryFn: ({ signal }) => fetchJson<{ imports: ImportRunRow[] }>("/api/v1/imports", signal),
  });
  const discard = useApiWrite<{ discarded: number }>({ invalidates: [RECENT_IMPORTS_KEY, ["dead-letters"], ["ingest-health"]] });
  if (error)
    return (
      <p className="error-text" role="alert">
        Could not load recent imports: {error.message}
      </p>
    );
  if (!data || data.imports.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="data-table compact" aria-label="Recent imports">
        <thead>
          <tr>
            <th>Started</th>
            <th>File</th>
            <th>Format</th>
            <th>Status</th>
            <th className="num">Events</th>
            <th className="num">Rejected</th>
            <th>Dead letters</th>
          </tr>
        </thead>
        <tbody>
          {data.imports.map((run) => (
            <tr key={run.id}>
              <td>{formatTimestamp(run.startedAt)}</td>
              <td className="mono">{run.fileName}</td>
              <td>{run.format}</td>
              <td>{run.status}</td>
              <td className="num">{run.eventsInserted}</td>
              <td className="num">{run.deadLetters}</td>
              <td>
                {run.openDeadLetters === 0 ? (
                  <span className="muted">none open</span>
                ) : canDiscard ? (
                  <button
                    type="button"
                    className="button button-small"
                    disabled={discard.isPending}
                    onClick={() => discard.mutate({ method: "DELETE", url: `/api/v1/imports/${run.id}/dead-letters` })}
                  >
                    Discard {formatCountOf(run.openDeadLetters, "dead letter")}
                  </button>
                ) : (
                  `${run.openDeadLetters} open`
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MutationError error={discard.error} />
      {discard.data ? <p className="muted">Discarded {formatCountOf(discard.data.discarded, "dead letter")}.</p> : null}
    </div>
  );
}
