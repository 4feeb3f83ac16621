"use client";

import { useRef, useState, type FormEvent } from "react";
import type { PublicUser } from "@/lib/auth/users.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatTimestamp } from "./format.ts";
import { MutationError } from "./mutation-error.tsx";
import { useApiWrite, type ApiWrite } from "./use-api-write.ts";

const ROLES = ["viewer", "support", "admin"] as const;

type AdminUsersProps = { initialUsers: Jsonify<PublicUser>[]; currentUserId: string };

export function AdminUsers({ initialUsers, currentUserId }: AdminUsersProps) {
  const write = useApiWrite({ refreshPage: true });
  const formRef = useRef<HTMLFormElement>(null);
  const [done, setDone] = useState<string | null>(null);
  const [passwordFor, setPasswordFor] = useState<string | null>(null);

  function run(request: ApiWrite, success: string, then?: () => void) {
    setDone(null);
    // `then` (clearing the form) only after success: a refused form keeps what was typed, to be corrected.
    write.mutate(request, {
      onSuccess: () => {
        setDone(success);
        then?.();
      },
    });
  }

  function createUser(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    const body = {
      email: String(form.get("email") ?? ""),
      role: String(form.get("role") ?? "viewer"),
      ...(name ? { name } : {}),
      ...(password ? { password } : {}),
    };
    run({ method: "POST", url: "/api/v1/admin/users", body }, "User created.", () => formElement.reset());
  }

  function setPassword(event: FormEvent<HTMLFormElement>, userId: string) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { password: String(form.get("password") ?? "") };
    run(
      { method: "PUT", url: `/api/v1/admin/users/${encodeURIComponent(userId)}/password`, body },
      "Password set; the user's sessions have ended.",
      () => setPasswordFor(null),
    );
  }

  const columns: DataTableColumn<Jsonify<PublicUser>>[] = [
    { header: "Email", cell: (user) => user.email },
    { header: "Name", cell: (user) => user.name ?? <span className="muted">—</span> },
    {
      header: "Role",
      cell: (user) => (
        <select
          aria-label={`Role of ${user.email}`}
          value={user.role}
          onChange={(event) =>
            run(
              { method: "PATCH", url: `/api/v1/admin/users/${encodeURIComponent(user.id)}`, body: { role: event.target.value } },
              `Role of ${user.email} changed.`,
            )
          }
        >
          {ROLES.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
      ),
    },
    { header: "Status", cell: (user) => (user.disabled ? "disabled" : "active") },
    { header: "Sign-in", className: "muted", cell: (user) => (user.hasPassword ? "password" : "single sign-on") },
    {
      header: "Last sign-in",
      className: "nowrap muted",
      cell: (user) => (user.lastSignInAt ? formatTimestamp(user.lastSignInAt) : "never"),
    },
    {
      header: "Actions",
      className: "nowrap",
      cell: (user) => (
        <>
          {user.id === currentUserId ? (
            <span className="muted">you</span>
          ) : (
            <button
              className="button button-small"
              type="button"
              onClick={() =>
                run(
                  { method: "PATCH", url: `/api/v1/admin/users/${encodeURIComponent(user.id)}`, body: { disabled: !user.disabled } },
                  `${user.email} ${user.disabled ? "enabled" : "disabled"}.`,
                )
              }
            >
              {user.disabled ? "Enable" : "Disable"}
            </button>
          )}{" "}
          {passwordFor === user.id ? (
            <form onSubmit={(event) => setPassword(event, user.id)} style={{ display: "inline-flex", gap: 4 }}>
              <input
                name="password"
                type="password"
                aria-label={`New password for ${user.email}`}
                autoComplete="new-password"
                minLength={12}
                maxLength={256}
                required
              />
              <button className="button button-small" type="submit">
                Save
              </button>
            </form>
          ) : (
            <button className="button button-small" type="button" onClick={() => setPasswordFor(user.id)}>
              Set password
            </button>
          )}
        </>
      ),
    },
  ];

  return (
    <>
      <section className="panel" aria-labelledby="new-user-heading">
        <h2 id="new-user-heading">Add a user</h2>
        <form ref={formRef} className="admin-form" onSubmit={createUser}>
          <label>
            Email
            <input name="email" type="email" required maxLength={254} />
          </label>
          <label>
            Name
            <input name="name" maxLength={200} />
          </label>
          <label>
            Role
            <select name="role" defaultValue="viewer">
              {ROLES.map((role) => (
                <option key={role}>{role}</option>
              ))}
            </select>
          </label>
          <label>
            Password (empty: single sign-on only)
            <input name="password" type="password" autoComplete="new-password" minLength={12} maxLength={256} />
          </label>
          <button className="button button-primary" type="submit">
            Add user
          </button>
        </form>
        <MutationError error={write.error} form={formRef} />
        {done ? (
          <p role="status" className="muted">
            {done}
          </p>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="users-heading">
        <h2 id="users-heading">Users</h2>
        <DataTable
          label="Users"
          className="admin-table"
          columns={columns}
          rows={initialUsers}
          rowKey={(user) => user.id}
          emptyText="No users yet."
        />
      </section>
    </>
  );
}
