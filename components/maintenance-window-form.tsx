"use client";

import { useRef, type FormEvent } from "react";
import { alertKeys } from "./queries/alerts.ts";
import { FormActions, ScopeFields } from "./alert-form-parts.tsx";
import { MutationError } from "./mutation-error.tsx";
import { useApiWrite } from "./use-api-write.ts";
import { fromUtcInput } from "@/lib/time/utc-input.ts";

export function MaintenanceWindowForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const save = useApiWrite({ invalidates: [alertKeys.maintenanceWindows, alertKeys.rules] });
  const formRef = useRef<HTMLFormElement>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
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
    save.mutate({ method: "POST", url: "/api/v1/alerts/maintenance-windows", body }, { onSuccess: onDone });
  }

  return (
    <section className="panel" aria-label="New maintenance window">
      <h2>New maintenance window</h2>
      <form ref={formRef} className="admin-form alert-form" onSubmit={submit} noValidate>
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
        <ScopeFields emptyMeansAll />
        <FormActions submitLabel="Create window" pending={save.isPending} onCancel={onCancel} />
      </form>
      <MutationError error={save.error} form={formRef} />
    </section>
  );
}
