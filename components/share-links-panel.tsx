"use client";

import { useRef, useState, type FormEvent, type ReactNode } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { ShareLinkSummary } from "@/lib/share/share-links.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatTimestamp } from "./format.ts";
import { MutationError } from "./mutation-error.tsx";
import { useApiWrite } from "./use-api-write.ts";

export type ShareLinkRow = Jsonify<ShareLinkSummary>;

const EXPIRY_CHOICES = [
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "1 day" },
  { hours: 7 * 24, label: "7 days" },
  { hours: 30 * 24, label: "30 days" },
] as const;

function describeStatus(link: ShareLinkRow): string {
  if (link.status === "revoked") return `revoked ${link.revokedAt ? formatTimestamp(link.revokedAt) : ""}`;
  if (link.status === "expired") return "expired";
  return `active until ${formatTimestamp(link.expiresAt)}`;
}

/**
 * Read-only links to one device window or one incident: create with an expiry, copy the link (shown once, at
 * creation), see status and visits, revoke. `apiBase` is the scope's share-links collection.
 */
export function ShareLinksPanel({
  apiBase,
  description,
  createBody,
  initialLinks,
  emptyText,
  showWindow = false,
}: {
  apiBase: string;
  description: ReactNode;
  createBody: Record<string, unknown>;
  initialLinks: ShareLinkRow[];
  emptyText: string;
  showWindow?: boolean;
}) {
  const createLink = useApiWrite<{ path: string }>({ refreshPage: true });
  const revokeLink = useApiWrite({ refreshPage: true });
  const formRef = useRef<HTMLFormElement>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [copyError, setCopyError] = useState<string | null>(null);

  function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setCopyError(null);
    setCopied(false);
    revokeLink.reset();
    const body = { ...createBody, expiresInHours: Number(form.get("expiresInHours") ?? 168) };
    createLink.mutate(
      { method: "POST", url: apiBase, body },
      { onSuccess: (result) => result && setCreated(new URL(result.path, window.location.origin).toString()) },
    );
  }

  async function copy(link: string) {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setCopyError("The browser did not allow copying: select the link and copy it by hand.");
    }
  }

  function revoke(link: ShareLinkRow) {
    setCopyError(null);
    createLink.reset();
    revokeLink.mutate({ method: "DELETE", url: `${apiBase}/${encodeURIComponent(link.id)}` });
  }

  const columns: DataTableColumn<ShareLinkRow>[] = [
    ...(showWindow
      ? [
          {
            header: "Window",
            className: "nowrap",
            cell: (link: ShareLinkRow) =>
              link.windowFrom && link.windowTo ? `${formatTimestamp(link.windowFrom)} – ${formatTimestamp(link.windowTo)}` : "—",
          },
        ]
      : []),
    { header: "Status", cell: (link) => describeStatus(link) },
    { header: "Created", className: "nowrap muted", cell: (link) => `${formatTimestamp(link.createdAt)} by ${link.createdByLabel}` },
    { header: "Visits", numeric: true, cell: (link) => link.useCount },
    { header: "Last visit", className: "nowrap muted", cell: (link) => (link.lastUsedAt ? formatTimestamp(link.lastUsedAt) : "never") },
    {
      header: "Actions",
      cell: (link) =>
        link.status === "revoked" ? null : (
          <button className="button button-small" type="button" onClick={() => revoke(link)}>
            Revoke
          </button>
        ),
    },
  ];
  return (
    <section className="panel" aria-labelledby="share-links-heading">
      <div className="panel-header">
        <h2 id="share-links-heading">Share links</h2>
      </div>
      <p className="muted">{description}</p>
      <form ref={formRef} className="button-group" onSubmit={create} aria-label="Create share link">
        <label>
          Expires after{" "}
          <select name="expiresInHours" defaultValue={String(7 * 24)}>
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.hours} value={choice.hours}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        <button className="button button-small" type="submit">
          Create share link
        </button>
      </form>
      <MutationError error={copyError ?? createLink.error ?? revokeLink.error} form={formRef} />
      {created ? (
        <div role="status">
          <p>Copy the link now: it will not be shown again.</p>
          <code className="secret-once" data-testid="new-share-link">
            {created}
          </code>{" "}
          <button className="button button-small" type="button" onClick={() => void copy(created)}>
            {copied ? "Copied" : "Copy link"}
          </button>
        </div>
      ) : null}
      <DataTable label="Share links" columns={columns} rows={initialLinks} rowKey={(link) => link.id} emptyText={emptyText} />
    </section>
  );
}
