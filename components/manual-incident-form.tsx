"use client";

import { useRouter } from "next/navigation";
import { useRef, type FormEvent } from "react";
import { REASON_LABELS } from "./reason-style.ts";
import { MutationError } from "./mutation-error.tsx";
import { useApiWrite } from "./use-api-write.ts";
import { fromUtcInput } from "@/lib/time/utc-input.ts";

const DROP_REASONS = Object.entries(REASON_LABELS).filter(([reason]) => reason !== "connected" && reason !== "client_disconnect");

/**
 * Declares an incident over a window: every device that dropped in it (optionally one source, one reason).
 * Times are UTC like everywhere else in the product; defaults (the last hour) come from the server.
 */
export function ManualIncidentForm({ defaultFrom, defaultTo }: { defaultFrom: string; defaultTo: string }) {
  const router = useRouter();
  const create = useApiWrite<{ id: string }>();
  const formRef = useRef<HTMLFormElement>(null);
  // Still "Creating…" while the browser moves to the new incident.
  const saving = create.isPending || create.isSuccess;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const body = {
      from: fromUtcInput(text("from")),
      to: fromUtcInput(text("to")),
      ...(text("source") ? { source: text("source") } : {}),
      ...(text("reason") ? { reason: text("reason") } : {}),
      ...(text("title") ? { title: text("title") } : {}),
    };
    create.mutate(
      { method: "POST", url: "/api/v1/incidents", body },
      { onSuccess: (created) => created && router.push(`/incidents/${created.id}`) },
    );
  }

  return (
    <section className="panel" aria-labelledby="manual-incident-heading">
      <h2 id="manual-incident-heading">Declare an incident</h2>
      <p className="muted">
        Every device that dropped in the window (matching the filters) becomes an affected device. At most 7 days; times in UTC.
      </p>
      <form ref={formRef} className="admin-form incident-form" onSubmit={submit} aria-label="Declare an incident">
        <label>
          From (UTC)
          <input name="from" type="datetime-local" defaultValue={defaultFrom} required />
        </label>
        <label>
          To (UTC)
          <input name="to" type="datetime-local" defaultValue={defaultTo} required />
        </label>
        <label>
          Source (optional)
          <input name="source" placeholder="e.g. emqx" maxLength={100} />
        </label>
        <label>
          Reason (optional)
          <select name="reason" defaultValue="">
            <option value="">any drop</option>
            {DROP_REASONS.map(([reason, label]) => (
              <option key={reason} value={reason}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Title (optional)
          <input name="title" maxLength={200} placeholder="what happened" />
        </label>
        <button className="button button-primary" type="submit" disabled={saving}>
          {saving ? "Creating…" : "Create incident"}
        </button>
      </form>
      <MutationError error={create.error} form={formRef} />
    </section>
  );
}
