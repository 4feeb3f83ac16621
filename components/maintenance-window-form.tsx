"use client";

import { useState, type FormEvent } from "react";
import { sendJson } from "./send-json.ts";

/** `datetime-local` has no zone: the form says UTC, so read it as UTC. */
function fromUtcInput(value: string): string | null {
  return value ? `${value}:00Z` : null;
}

export function MaintenanceWindowForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const body = {
      name: text("name"),
      recurrence: text("recurrence"),
      startsAt: fromUtcInput(text("startsAt")),
      durationMinutes: Number(text("durationMinutes")),
      until: fromUtcInput(text("until")),
      source: text("source") || null,
      brokerNode: text("brokerNode") || null,
    };
    setSaving(true);
    setError(null);
    try {
      await sendJson("POST", "/api/v1/alerts/maintenance-windows", body);
      onDone();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="panel" aria-label="New maintenance window">
      <h2>New maintenance window</h2>
      <form className="admin-form alert-form" onSubmit={(event) => void submit(event)} noValidate>
        <label>
          Name
          <input name="name" maxLength={120} placeholder="Nightly broker restart" />
        </label>
        <label>
          Repeats
          <select name="recurrence" defaultValue="daily">
            <option value="once">Once</option>
            <option value="daily">Daily</option>
            <option value="weekly">Weekly</option>
          </select>
        </label>
        <label>
          Starts at (UTC)
          <input name="startsAt" type="datetime-local" />
        </label>
        <label>
          Duration, minutes
          <input name="durationMinutes" inputMode="numeric" defaultValue={15} />
        </label>
        <label>
          Repeats until (UTC, optional)
          <input name="until" type="datetime-local" />
        </label>
        <label>
          Source (empty: all)
          <input name="source" />
        </label>
        <label>
          Broker node (empty: all)
          <input name="brokerNode" />
        </label>
        <div className="button-group">
          <button className="button button-primary" type="submit" disabled={saving}>
            Create window
          </button>
          <button className="button" type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
    </section>
  );
}
