"use client";

import { useState, type FormEvent } from "react";
import { ALERT_KINDS, ALERT_RULE_KINDS, type AlertRuleKind } from "@/lib/alerts/alert-kinds.ts";
import type { AlertRuleRow } from "./alert-queries.ts";
import { AlertRuleChannelPicker } from "./alert-rule-channel-picker.tsx";
import { sendJson } from "./send-json.ts";

function numberOrText(value: FormDataEntryValue | null): number | string | undefined {
  const text = String(value ?? "").trim();
  if (text === "") return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  kind: "Kind",
  "params.code": "Vendor code or reason",
  windowMinutes: "Window",
  source: "Source",
  brokerNode: "Broker node",
  forSeconds: "Holds for",
  clearMargin: "Clear margin",
  clearForSeconds: "Clear for",
  channelIds: "Notify",
};

/** The API's `params.threshold: at most 100 %; …` as one line per field, named as on the form. */
function toReadableErrors(message: string, thresholdLabel: string): string[] {
  return message.split("; ").map((part) => {
    const match = /^([\w.]+): (.*)$/.exec(part);
    if (!match?.[1] || match[2] === undefined) return part;
    const label = match[1] === "params.threshold" ? thresholdLabel : FIELD_LABELS[match[1]];
    return label ? `${label}: ${match[2]}` : part;
  });
}

/** Create or edit a rule, and choose the channels it notifies. */
export function AlertRuleForm({ rule, onDone, onCancel }: { rule: AlertRuleRow | null; onDone: (rule: AlertRuleRow) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<AlertRuleKind>(rule?.kind ?? "connected_below");
  const [errors, setErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const info = ALERT_KINDS[kind];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, unknown> = {
      name: String(form.get("name") ?? ""),
      kind,
      params: { threshold: numberOrText(form.get("threshold")), ...(kind === "code_rate_above" ? { code: String(form.get("code") ?? "") } : {}) },
      source: String(form.get("source") ?? "") || null,
      brokerNode: String(form.get("brokerNode") ?? "") || null,
      ...(info.usesWindow ? { windowMinutes: numberOrText(form.get("windowMinutes")) } : {}),
      forSeconds: numberOrText(form.get("forSeconds")),
      clearMargin: numberOrText(form.get("clearMargin")),
      clearForSeconds: numberOrText(form.get("clearForSeconds")),
      enabled: form.get("enabled") === "on",
      channelIds: form.getAll("channelIds").map(String),
    };
    setSaving(true);
    setErrors([]);
    try {
      const result = rule
        ? await sendJson<{ rule: AlertRuleRow }>("PATCH", `/api/v1/alerts/rules/${encodeURIComponent(rule.id)}`, body)
        : await sendJson<{ rule: AlertRuleRow }>("POST", "/api/v1/alerts/rules", body);
      if (result) onDone(result.rule);
    } catch (failure) {
      setErrors(toReadableErrors(failure instanceof Error ? failure.message : String(failure), info.thresholdLabel));
    } finally {
      setSaving(false);
    }
  }

  const heading = rule ? `Edit “${rule.name}”` : "New alert rule";
  return (
    <section className="panel" aria-label={heading}>
      <h2>{heading}</h2>
      <form className="admin-form alert-form" onSubmit={(event) => void submit(event)} noValidate>
        <label>
          Name
          <input name="name" defaultValue={rule?.name ?? ""} maxLength={120} required />
        </label>
        <label>
          Kind
          <select name="kind" value={kind} onChange={(event) => setKind(event.target.value as AlertRuleKind)}>
            {ALERT_RULE_KINDS.map((value) => (
              <option key={value} value={value}>
                {ALERT_KINDS[value].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          {info.thresholdLabel}
          <input name="threshold" inputMode="decimal" defaultValue={rule?.params.threshold ?? ""} key={`threshold-${kind}`} required />
        </label>
        {kind === "code_rate_above" ? (
          <label>
            Vendor code or reason
            <input name="code" defaultValue={rule?.params.code ?? ""} placeholder="emqx:keepalive_timeout" required />
          </label>
        ) : null}
        {info.usesWindow ? (
          <label>
            Window, minutes
            <input name="windowMinutes" inputMode="numeric" defaultValue={rule?.windowMinutes ?? 5} />
          </label>
        ) : null}
        <label>
          Source (empty: all)
          <input name="source" defaultValue={rule?.source ?? ""} placeholder="emqx" />
        </label>
        <label>
          Broker node (empty: all)
          <input name="brokerNode" defaultValue={rule?.brokerNode ?? ""} />
        </label>
        <label>
          Holds for, seconds, before firing
          <input name="forSeconds" inputMode="numeric" defaultValue={rule?.forSeconds ?? 60} />
        </label>
        <label>
          Clear margin ({info.unit})
          <input name="clearMargin" inputMode="decimal" defaultValue={rule?.clearMargin ?? 0} />
        </label>
        <label>
          Clear for, seconds, before resolving
          <input name="clearForSeconds" inputMode="numeric" defaultValue={rule?.clearForSeconds ?? 60} />
        </label>
        <AlertRuleChannelPicker rule={rule} />
        <label className="inline-check">
          <input type="checkbox" name="enabled" defaultChecked={rule?.enabled ?? true} /> Enabled
        </label>
        <div className="button-group">
          <button className="button button-primary" type="submit" disabled={saving}>
            {rule ? "Save rule" : "Create rule"}
          </button>
          <button className="button" type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
      {errors.length > 0 ? (
        <ul role="alert" className="error-text" aria-label="Problems with the rule">
          {errors.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
