"use client";

import { useRef, useState, type FormEvent } from "react";
import { MutationError } from "./mutation-error.tsx";
import { useApiWrite } from "./use-api-write.ts";

export function IncidentNoteForm({ incidentId }: { incidentId: string }) {
  const [body, setBody] = useState("");
  const save = useApiWrite({ refreshPage: true });
  const formRef = useRef<HTMLFormElement>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(
      { method: "POST", url: `/api/v1/incidents/${encodeURIComponent(incidentId)}/notes`, body: { body } },
      { onSuccess: () => setBody("") },
    );
  }

  return (
    <form ref={formRef} onSubmit={submit} className="stack">
      <label htmlFor="incident-note">Add a note</label>
      <textarea
        id="incident-note"
        name="body"
        style={{ display: "block", width: "100%" }}
        value={body}
        onChange={(event) => setBody(event.target.value)}
        rows={3}
        maxLength={4000}
        required
      />
      <MutationError error={save.error} form={formRef} />
      <div>
        <button type="submit" className="button" disabled={save.isPending || body.trim() === ""}>
          Add note
        </button>
      </div>
    </form>
  );
}
