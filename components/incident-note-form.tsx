"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { sendJson } from "./send-json.ts";

export function IncidentNoteForm({ incidentId }: { incidentId: string }) {
  const router = useRouter();
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await sendJson("POST", `/api/v1/incidents/${encodeURIComponent(incidentId)}/notes`, { body });
      setBody("");
      router.refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={submit} className="stack">
      <label htmlFor="incident-note">Add a note</label>
      <textarea id="incident-note" style={{ display: "block", width: "100%" }} value={body} onChange={(event) => setBody(event.target.value)} rows={3} maxLength={4000} required />
      {error ? <p className="notice" role="alert">{error}</p> : null}
      <div>
        <button type="submit" className="button" disabled={saving || body.trim() === ""}>
          Add note
        </button>
      </div>
    </form>
  );
}
