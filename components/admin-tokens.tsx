"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { PublicApiToken } from "@/lib/auth/api-tokens.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { formatTimestamp } from "./format.ts";
import { sendJson } from "./send-json.ts";

type TokenRow = Jsonify<PublicApiToken>;

function describeStatus(token: TokenRow, now: number): string {
  if (token.revokedAt) return `revoked ${formatTimestamp(token.revokedAt)}`;
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return "expired";
  return token.expiresAt ? `active until ${formatTimestamp(token.expiresAt)}` : "active, no expiry";
}

export function AdminTokens({ initialTokens }: { initialTokens: TokenRow[] }) {
  const router = useRouter();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now] = useState(() => Date.now());

  async function createToken(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const days = String(form.get("expiresInDays") ?? "");
    setError(null);
    try {
      const result = await sendJson<{ token: string; apiToken: TokenRow }>("POST", "/api/v1/admin/tokens", {
        name: String(form.get("name") ?? ""),
        role: String(form.get("role") ?? "viewer"),
        expiresInDays: days === "" ? null : Number(days),
      });
      if (result) setCreated({ name: result.apiToken.name, token: result.token });
      formElement.reset();
      router.refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  async function revoke(token: TokenRow) {
    setError(null);
    try {
      await sendJson("DELETE", `/api/v1/admin/tokens/${encodeURIComponent(token.id)}`);
      router.refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <>
      <section className="panel" aria-labelledby="new-token-heading">
        <h2 id="new-token-heading">Create a token</h2>
        <form className="admin-form" onSubmit={createToken}>
          <label>
            Name
            <input name="name" required maxLength={100} placeholder="e.g. grafana export" />
          </label>
          <label>
            Role
            <select name="role" defaultValue="viewer">
              <option>viewer</option>
              <option>support</option>
              <option>admin</option>
            </select>
          </label>
          <label>
            Expires after days (empty: never)
            <input name="expiresInDays" type="number" min={1} max={3650} defaultValue={90} />
          </label>
          <button className="button button-primary" type="submit">
            Create token
          </button>
        </form>
        {error ? (
          <p role="alert" className="error-text">
            {error}
          </p>
        ) : null}
        {created ? (
          <div role="status">
            <p>
              Token <strong>{created.name}</strong> created. Copy it now: it will not be shown again.
            </p>
            <code className="secret-once" data-testid="new-token">
              {created.token}
            </code>
          </div>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Tokens</h2>
        {initialTokens.length === 0 ? (
          <p className="empty">No API tokens yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="API tokens">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Starts with</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {initialTokens.map((token) => (
                  <tr key={token.id}>
                    <td>{token.name}</td>
                    <td className="mono">{token.prefix}…</td>
                    <td>{token.role}</td>
                    <td>{describeStatus(token, now)}</td>
                    <td className="nowrap muted">
                      {formatTimestamp(token.createdAt)}
                      {token.createdBy ? ` by ${token.createdBy.email}` : ""}
                    </td>
                    <td className="nowrap muted">{token.lastUsedAt ? formatTimestamp(token.lastUsedAt) : "never"}</td>
                    <td>
                      {token.revokedAt ? null : (
                        <button className="button button-small" type="button" onClick={() => void revoke(token)} aria-label={`Revoke ${token.name}`}>
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
    </>
  );
}
