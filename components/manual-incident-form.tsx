"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { REASON_LABELS } from "./reason-style.ts";
import { sendJson } from "./send-json.ts";

const DROP_REASONS = Object.entries(REASON_LABELS).filter(([reason]) => reason !== "connected" && reason !== "client_disconnect");

/** `2026-11-22T10:00` (a datetime-local value, read as UTC) → ISO. */
// datetime-local inputs are wider than the form's grid columns by default.

const fromUtcInput = (value: string) => new Date(`${value}:00Z`).toISOString();

/**
 * Declares an incident over a window: every device that dropped in it (optionally one source, one reason).
 * Times are UTC like everywhere else in the product; defaults (the last hour) come from the server.
 */
export function ManualIncidentForm({ defaultFrom, defaultTo }: { defaultFrom: string; defaultTo: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    setSaving(true);
    setError(null);
    try {
      const body = {
        from: fromUtcInput(text("from")),
        to: fromUtcInput(text("to")),
        ...(text("source") ? { source: text("source") } : {}),
        ...(text("reason") ? { reason: text("reason") } : {}),
        ...(text("title") ? { title: text("title") } : {}),
      };
      const created = await sendJson<{ id: string }>("POST", "/api/v1/incidents", body);
      if (created) router.push(`/incidents/${created.id}`);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setSaving(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="manual-incident-heading">
      <h2 id="manual-incident-heading">Declare an incident</h2>
      <p className="muted">Every device that dropped in the window (matching the filters) becomes an affected device. At most 7 days; times in UTC.</p>
      <form className="admin-form incident-form" onSubmit={(event) => void submit(event)} aria-label="Declare an incident">
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
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
    </section>
  );
}
