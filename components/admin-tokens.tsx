"use client";

import { useRef, useState, type FormEvent } from "react";
import type { PublicApiToken } from "@/lib/auth/api-tokens.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { formatTimestamp } from "./format.ts";
import { MutationError } from "./mutation-error.tsx";
import { TokenShownOnce, TokenTable } from "./token-admin.tsx";
import type { DataTableColumn } from "./data-table.tsx";
import { useApiWrite } from "./use-api-write.ts";

type TokenRow = Jsonify<PublicApiToken>;

function describeStatus(token: TokenRow, now: number): string {
  if (token.revokedAt) return `revoked ${formatTimestamp(token.revokedAt)}`;
  if (token.createdBy?.disabled) return "stopped: its creator is disabled";
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return "expired";
  return token.expiresAt ? `active until ${formatTimestamp(token.expiresAt)}` : "active, no expiry";
}

/** A token never acts above its creator's current role. */
function describeRole(token: TokenRow): string {
  const creatorRole = token.createdBy?.role;
  if (!creatorRole || hasRole(creatorRole, token.role)) return token.role;
  return `${token.role} (acts as ${creatorRole}, its creator's role)`;
}

const COLUMNS: DataTableColumn<TokenRow>[] = [
  { header: "Name", cell: (token) => token.name },
  { header: "Starts with", cell: (token) => `${token.prefix}…`, className: "mono" },
  { header: "Role", cell: (token) => describeRole(token) },
];

export function AdminTokens({ initialTokens }: { initialTokens: TokenRow[] }) {
  const create = useApiWrite<{ token: string; apiToken: TokenRow }>({ refreshPage: true });
  const revoke = useApiWrite({ refreshPage: true });
  const formRef = useRef<HTMLFormElement>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [now] = useState(() => Date.now());

  function createToken(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const days = String(form.get("expiresInDays") ?? "");
    const body = {
      name: String(form.get("name") ?? ""),
      role: String(form.get("role") ?? "viewer"),
      expiresInDays: days === "" ? null : Number(days),
    };
    create.mutate(
      { method: "POST", url: "/api/v1/admin/tokens", body },
      {
        onSuccess: (result) => {
          if (result) setCreated({ name: result.apiToken.name, token: result.token });
          formElement.reset();
        },
      },
    );
  }

  return (
    <>
      <section className="panel" aria-labelledby="new-token-heading">
        <h2 id="new-token-heading">Create a token</h2>
        <form ref={formRef} className="admin-form" onSubmit={createToken}>
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
        <MutationError error={create.error ?? revoke.error} form={formRef} />
        {created ? (
          <TokenShownOnce
            intro={
              <>
                Token <strong>{created.name}</strong> created.
              </>
            }
            token={created.token}
            testId="new-token"
          />
        ) : null}
      </section>
      <section className="panel" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Tokens</h2>
        <TokenTable
          label="API tokens"
          rows={initialTokens}
          columns={COLUMNS}
          emptyText="No API tokens yet."
          nameOf={(token) => token.name}
          statusOf={(token) => describeStatus(token, now)}
          createdBy={(token) => token.createdBy?.email ?? null}
          onRevoke={(token) => revoke.mutate({ method: "DELETE", url: `/api/v1/admin/tokens/${encodeURIComponent(token.id)}` })}
        />
      </section>
    </>
  );
}
