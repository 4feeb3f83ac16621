"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { ShareLinkSummary } from "@/lib/share/share-links.ts";
import { formatTimestamp } from "./format.ts";
import { sendJson } from "./send-json.ts";

type ShareLinkRow = Jsonify<ShareLinkSummary>;

const EXPIRY_CHOICES = [
  { hours: 24, label: "1 day" },
  { hours: 7 * 24, label: "7 days" },
  { hours: 30 * 24, label: "30 days" },
] as const;

function describeStatus(link: ShareLinkRow): string {
  if (link.status === "revoked") return `revoked ${link.revokedAt ? formatTimestamp(link.revokedAt) : ""}`;
  if (link.status === "expired") return "expired";
  return `active until ${formatTimestamp(link.expiresAt)}`;
}

/** Read-only links to this device over the window shown; the link itself is shown once, at creation. */
export function DeviceShareLinks({ deviceId, from, to, initialLinks }: { deviceId: string; from: string; to: string; initialLinks: ShareLinkRow[] }) {
  const router = useRouter();
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}/share-links`;

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    try {
      const result = await sendJson<{ path: string }>("POST", base, { from, to, expiresInHours: Number(form.get("expiresInHours") ?? 168) });
      if (result) setCreated(new URL(result.path, window.location.origin).toString());
      router.refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  async function revoke(link: ShareLinkRow) {
    setError(null);
    try {
      await sendJson("DELETE", `${base}/${encodeURIComponent(link.id)}`);
      router.refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <section className="panel" aria-labelledby="share-links-heading">
      <div className="panel-header">
        <h2 id="share-links-heading">Share links</h2>
      </div>
      <p className="muted">
        A read-only page with this device from {formatTimestamp(from)} to {formatTimestamp(to)}, for someone without an account. IP addresses are masked and
        credentials removed; every visit is recorded.
      </p>
      <form className="button-group" onSubmit={(event) => void create(event)} aria-label="Create share link">
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
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
      {created ? (
        <div role="status">
          <p>Copy the link now: it will not be shown again.</p>
          <code className="secret-once" data-testid="new-share-link">
            {created}
          </code>
        </div>
      ) : null}
      {initialLinks.length === 0 ? (
        <p className="empty">No share links for this device.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Share links">
            <thead>
              <tr>
                <th scope="col">Window (UTC)</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Visits</th>
                <th scope="col">Last visit</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {initialLinks.map((link) => (
                <tr key={link.id}>
                  <td className="nowrap">
                    {link.windowFrom && link.windowTo ? `${formatTimestamp(link.windowFrom)} – ${formatTimestamp(link.windowTo)}` : "—"}
                  </td>
                  <td>{describeStatus(link)}</td>
                  <td className="nowrap muted">
                    {formatTimestamp(link.createdAt)} by {link.createdByLabel}
                  </td>
                  <td>{link.useCount}</td>
                  <td className="nowrap muted">{link.lastUsedAt ? formatTimestamp(link.lastUsedAt) : "never"}</td>
                  <td>
                    {link.status === "revoked" ? null : (
                      <button className="button button-small" type="button" onClick={() => void revoke(link)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
