"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import type { listImportRuns } from "@/lib/queries/list-import-runs.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { DEAD_LETTERS_KEY } from "./dead-letters-panel.tsx";
import { fetchJson } from "./fetch-json.ts";
import { formatCountOf, formatTimestamp } from "./format.ts";
import { MutationError } from "./mutation-error.tsx";
import { describeProgressWriteFailures } from "@/lib/ingest/describe-progress-write-failures.ts";
import { useApiWrite } from "./use-api-write.ts";

type ImportRunRow = Jsonify<Awaited<ReturnType<typeof listImportRuns>>[number]>;
export const RECENT_IMPORTS_KEY = ["imports"] as const;

/** The last imports with their counts; support can discard the dead letters of an import that went wrong. */
export function RecentImports({ canDiscard }: { canDiscard: boolean }) {
  const { data, error } = useQuery({
    queryKey: RECENT_IMPORTS_KEY,
    queryFn: ({ signal }) => fetchJson<{ imports: ImportRunRow[] }>("/api/v1/imports", signal),
  });
  const discard = useApiWrite<{ discarded: number }>({ invalidates: [RECENT_IMPORTS_KEY, DEAD_LETTERS_KEY, ["ingest-health"]] });
  if (error)
    return (
      <p className="error-text" role="alert">
        Could not load recent imports: {error.message}
      </p>
    );
  if (!data || data.imports.length === 0) return null;
  const columns: DataTableColumn<ImportRunRow>[] = [
    { header: "Started", className: "nowrap", cell: (run) => formatTimestamp(run.startedAt) },
    { header: "File", className: "mono", cell: (run) => run.fileName },
    { header: "Format", cell: (run) => run.format },
    {
      header: "Status",
      cell: (run) => {
        const failures = describeProgressWriteFailures(run.progressWriteFailures);
        return (
          <>
            {run.status}
            {failures ? <p className="muted">{failures}</p> : null}
          </>
        );
      },
    },
    { header: "Events", numeric: true, cell: (run) => run.eventsInserted },
    { header: "Rejected", numeric: true, cell: (run) => run.deadLetters },
    {
      header: "Dead letters",
      cell: (run) =>
        run.openDeadLetters === 0 ? (
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
        ),
    },
  ];
  return (
    <DataTable
      label="Recent imports"
      columns={columns}
      rows={data.imports}
      rowKey={(run) => run.id}
      emptyText={null}
      footer={
        <>
          <MutationError error={discard.error} />
          {discard.data ? <p className="muted">Discarded {formatCountOf(discard.data.discarded, "dead letter")}.</p> : null}
        </>
      }
    />
  );
}
