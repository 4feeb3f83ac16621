"use client";

import { useRef, useState, type FormEvent } from "react";
import { alertKeys, type AlertRuleRow } from "./queries/alerts.ts";
import { FormActions, ScopeFields } from "./alert-form-parts.tsx";
import { MutationError } from "./mutation-error.tsx";
import { useApiWrite } from "./use-api-write.ts";

type Target = "devices" | "label" | "rule" | "scope";
const TARGETS: { value: Target; label: string }[] = [
  { value: "devices", label: "Devices (left out of the measurement)" },
  { value: "label", label: "Devices with a label (left out of the measurement)" },
  { value: "rule", label: "A rule (notifications muted)" },
  { value: "scope", label: "A source / broker node (its rules muted)" },
];

/** Create a silence: devices or a label leave the measurement; a rule or scope has its notifications muted. */
export function AlertSilenceForm({ rules, onDone, onCancel }: { rules: AlertRuleRow[]; onDone: () => void; onCancel: () => void }) {
  const [target, setTarget] = useState<Target>("devices");
  const save = useApiWrite({ invalidates: [alertKeys.silences, alertKeys.rules] });
  const formRef = useRef<HTMLFormElement>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const minutes = Number(text("minutes"));
    const body = {
      target,
      ruleId: text("ruleId") || null,
      deviceIds: text("deviceIds"),
      label: text("label") || null,
      source: text("source") || null,
      brokerNode: text("brokerNode") || null,
      reason: text("reason"),
      minutes: Number.isFinite(minutes) && text("minutes") !== "" ? minutes : undefined,
    };
    save.mutate({ method: "POST", url: "/api/v1/alerts/silences", body }, { onSuccess: onDone });
  }

  return (
    <section className="panel" aria-label="New silence">
      <h2>New silence</h2>
      <form ref={formRef} className="admin-form alert-form" onSubmit={submit} noValidate>
        <label>
          Silence
          <select name="target" value={target} onChange={(event) => setTarget(event.target.value as Target)}>
            {TARGETS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <select name="ruleId" defaultValue="">
            {target !== "rule" ? <option value="">All rules</option> : null}
            {rules.map((rule) => (
              <option key={rule.id} value={rule.id}>
                {rule.name}
              </option>
            ))}
          </select>
        </label>
        {target === "devices" ? (
          <label className="alert-form-wide">
            Device IDs (one per line)
            <textarea name="deviceIds" rows={4} />
          </label>
        ) : null}
        {target === "label" ? (
          <label>
            Label (key=value)
            <input name="label" placeholder="profile=flaky" />
          </label>
        ) : null}
        {target === "scope" ? <ScopeFields sourcePlaceholder="emqx" /> : null}
        <label>
          For, minutes
          <input name="minutes" inputMode="numeric" defaultValue={60} />
        </label>
        <label className="alert-form-wide">
          Reason
          <input name="reason" maxLength={500} placeholder="Known flapping on site 4, ticket OPS-123" />
        </label>
        <FormActions submitLabel="Create silence" pending={save.isPending} onCancel={onCancel} />
      </form>
      <MutationError error={save.error} form={formRef} />
    </section>
  );
}
