"use client";

import type { ReactNode } from "react";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatTimestamp } from "./format.ts";
import { useClipboard } from "./use-clipboard.ts";

/** What every token row has, whatever kind of token (API, ingest). */
type TokenRowBase = { id: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };

/**
 * The answer to creating a token: `intro` says what was created, then the token with a copy button, shown this
 * once; `children` adds more (e.g. a command that uses the token).
 */
export function TokenShownOnce({
  intro,
  token,
  testId,
  children,
}: {
  intro: ReactNode;
  token: string;
  testId: string;
  children?: ReactNode;
}) {
  return (
    <div role="status">
      <p>{intro} Copy it now: it will not be shown again.</p>
      <CopyableSecret value={token} testId={testId} copyLabel="Copy token" />
      {children}
    </div>
  );
}

/** A secret (or a command containing it) with a copy button. */
export function CopyableSecret({
  value,
  testId,
  copyLabel,
  multiline = false,
}: {
  value: string;
  testId: string;
  copyLabel: string;
  multiline?: boolean;
}) {
  const [copied, copy] = useClipboard();
  return (
    <div className="secret-once-block">
      {multiline ? (
        <pre className="secret-once" data-testid={testId}>
          {value}
        </pre>
      ) : (
        <code className="secret-once" data-testid={testId}>
          {value}
        </code>
      )}
      <button className="button button-small" type="button" onClick={() => void copy(value)}>
        {copied === "copied" ? "Copied" : copyLabel}
      </button>
      {copied === "failed" ? <span className="muted">The browser refused clipboard access; select the text instead.</span> : null}
    </div>
  );
}

/**
 * The token list both admin pages share: the kind's own leading columns, then status, created, last used and a
 * revoke button for tokens not yet revoked. `confirmRevoke` asks first when given.
 */
export function TokenTable<Row extends TokenRowBase>({
  label,
  rows,
  columns,
  emptyText,
  nameOf,
  statusOf,
  createdBy,
  confirmRevoke,
  onRevoke,
}: {
  label: string;
  rows: Row[];
  columns: DataTableColumn<Row>[];
  emptyText: string;
  nameOf: (row: Row) => string;
  statusOf: (row: Row) => string;
  createdBy?: (row: Row) => string | null;
  confirmRevoke?: (row: Row) => string;
  onRevoke: (row: Row) => void;
}) {
  function revoke(row: Row) {
    if (confirmRevoke && !window.confirm(confirmRevoke(row))) return;
    onRevoke(row);
  }
  const shared: DataTableColumn<Row>[] = [
    { header: "Status", cell: statusOf },
    {
      header: "Created",
      className: "nowrap muted",
      cell: (row) => {
        const by = createdBy?.(row);
        return `${formatTimestamp(row.createdAt)}${by ? ` by ${by}` : ""}`;
      },
    },
    { header: "Last used", className: "nowrap muted", cell: (row) => (row.lastUsedAt ? formatTimestamp(row.lastUsedAt) : "never") },
    {
      header: "Actions",
      cell: (row) =>
        row.revokedAt ? null : (
          <button className="button button-small" type="button" onClick={() => revoke(row)} aria-label={`Revoke ${nameOf(row)}`}>
            Revoke
          </button>
        ),
    },
  ];
  return <DataTable label={label} columns={[...columns, ...shared]} rows={rows} rowKey={(row) => row.id} emptyText={emptyText} />;
}
