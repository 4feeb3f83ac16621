"use client";

import { formatCount } from "./format.ts";

/** `21–40 of 412` with previous / next; pages are 0-based. */
export function Pager({
  page,
  pageSize,
  total,
  onPage,
  label,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage(page: number): void;
  label: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (total <= pageSize) return null;
  const first = page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button button-small" onClick={() => onPage(page - 1)} disabled={page === 0}>
        Previous
      </button>
      <span className="pager-status" aria-live="polite">
        {formatCount(first)}–{formatCount(last)} of {formatCount(total)}
      </span>
      <button type="button" className="button button-small" onClick={() => onPage(page + 1)} disabled={page >= pages - 1}>
        Next
      </button>
    </nav>
  );
}

/** The page to show after the list changed under it: the same one while it still exists. */
export function clampPage(page: number, total: number, pageSize: number): number {
  return Math.min(page, Math.max(0, Math.ceil(total / pageSize) - 1));
}
