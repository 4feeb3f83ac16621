"use client";

import { useRef, useState, type FormEvent } from "react";
import { ALERT_KINDS, ALERT_RULE_KINDS, type AlertRuleKind } from "@/lib/alerts/alert-kinds.ts";
import type { RateMode } from "@/lib/alerts/alert-rule-schemas.ts";
import { alertKeys, type AlertRuleRow } from "./queries/alerts.ts";
import { AlertRuleChannelPicker } from "./alert-rule-channel-picker.tsx";
import { AlertRulePreviewPanel, type AlertRulePreviewResult } from "./alert-rule-preview.tsx";
import { useApiWrite, type ApiWrite } from "./use-api-write.ts";
import { useInvalidFieldMarks } from "./use-invalid-field-marks.ts";

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
  "params.multiplier": "K",
  windowMinutes: "Window",
  source: "Source",
  brokerNode: "Broker node",
  forSeconds: "Holds for",
  clearMargin: "Clear margin",
  clearForSeconds: "Clear for",
  renotifyMinutes: "Re-notify every",
  excludeDeviceIds: "Leave out devices",
  excludeLabels: "Leave out labels",
  channelIds: "Notify",
};

/** One entry per line or comma. */
function splitList(value: FormDataEntryValue | null): string[] {
  return String(value ?? "")
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The API's `params.threshold: at most 100 %; …` as one line per field, named as on the form. */
function toReadableErrors(message: string, thresholdLabel: string): string[] {
  return message.split("; ").map((part) => {
    const match = /^([\w.]+): (.*)$/.exec(part);
    if (!match?.[1] || match[2] === undefined) return part;
    const label = match[1] === "params.threshold" ? thresholdLabel : FIELD_LABELS[match[1]];
    return label ? `${label}: ${match[2]}` : part;
  });
}

const isRateKind = (kind: AlertRuleKind) => kind === "disconnect_rate_above" || kind === "code_rate_above";

/** Create or edit a rule, choose the channels it notifies, and preview how often it would have fired. */
export function AlertRuleForm({
  rule,
  onDone,
  onCancel,
}: {
  rule: AlertRuleRow | null;
  onDone: (rule: AlertRuleRow) => void;
  onCancel: () => void;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<AlertRuleKind>(rule?.kind ?? "connected_below");
  const [mode, setMode] = useState<RateMode>(rule?.params.mode ?? "fixed");
  const save = useApiWrite<{ rule: AlertRuleRow }>({ invalidates: [alertKeys.rules] });
  const previewWrite = useApiWrite<{ preview: AlertRulePreviewResult }>();
  const preview = previewWrite.isPending ? "loading" : (previewWrite.data?.preview ?? null);
  const info = ALERT_KINDS[kind];
  const baseline = isRateKind(kind) && mode === "baseline";
  const thresholdLabel = baseline ? "Never below, per minute (floor)" : info.thresholdLabel;
  const failure = save.error ?? previewWrite.error;
  const errors = failure ? toReadableErrors(failure.message, thresholdLabel) : [];
  const errorsId = useInvalidFieldMarks(formRef, failure);

  function readBody(formElement: HTMLFormElement): Record<string, unknown> {
    const form = new FormData(formElement);
    const body: Record<string, unknown> = {
      name: String(form.get("name") ?? ""),
      kind,
      params: {
        threshold: numberOrText(form.get("threshold")),
        ...(kind === "code_rate_above" ? { code: String(form.get("code") ?? "") } : {}),
        ...(isRateKind(kind) ? { mode, ...(baseline ? { multiplier: numberOrText(form.get("multiplier")) } : {}) } : {}),
      },
      source: String(form.get("source") ?? "") || null,
      brokerNode: String(form.get("brokerNode") ?? "") || null,
      ...(info.usesWindow ? { windowMinutes: numberOrText(form.get("windowMinutes")) } : {}),
      forSeconds: numberOrText(form.get("forSeconds")),
      clearMargin: numberOrText(form.get("clearMargin")),
      clearForSeconds: numberOrText(form.get("clearForSeconds")),
      enabled: form.get("enabled") === "on",
      renotifyMinutes: numberOrText(form.get("renotifyMinutes")) ?? null,
      excludeDeviceIds: splitList(form.get("excludeDeviceIds")),
      excludeLabels: splitList(form.get("excludeLabels")),
      excludeFlapping: form.get("excludeFlapping") === "on",
      channelIds: form.getAll("channelIds").map(String),
    };
    return body;
  }

  function runPreview() {
    if (!formRef.current) return;
    // Where a rule notifies does not change when it fires.
    const { channelIds: _ignored, ...body } = readBody(formRef.current);
    save.reset();
    previewWrite.mutate({ method: "POST", url: "/api/v1/alerts/rules/preview", body });
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = readBody(event.currentTarget);
    previewWrite.reset();
    const request: ApiWrite = rule
      ? { method: "PATCH", url: `/api/v1/alerts/rules/${encodeURIComponent(rule.id)}`, body }
      : { method: "POST", url: "/api/v1/alerts/rules", body };
    save.mutate(request, { onSuccess: (result) => result && onDone(result.rule) });
  }

  const heading = rule ? `Edit “${rule.name}”` : "New alert rule";
  return (
    <section className="panel" aria-label={heading}>
      <h2>{heading}</h2>
      <form ref={formRef} className="admin-form alert-form" onSubmit={submit} onChange={() => previewWrite.reset()} noValidate>
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
        {isRateKind(kind) ? (
          <label>
            Compare with
            <select name="mode" value={mode} onChange={(event) => setMode(event.target.value as RateMode)}>
              <option value="fixed">A fixed rate</option>
              <option value="baseline">K × the usual rate (same hour, previous 7 days)</option>
            </select>
          </label>
        ) : null}
        {baseline ? (
          <label>
            K, times the usual rate
            <input name="multiplier" inputMode="decimal" defaultValue={rule?.params.multiplier ?? 3} />
          </label>
        ) : null}
        <label>
          {thresholdLabel}
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
        <label>
          Re-notify every, minutes, until acknowledged (empty: once)
          <input name="renotifyMinutes" inputMode="numeric" defaultValue={rule?.renotifyMinutes ?? ""} />
        </label>
        <label className="alert-form-wide">
          Leave out devices (known problems; one ID per line)
          <textarea name="excludeDeviceIds" rows={2} defaultValue={rule?.excludeDeviceIds.join("\n") ?? ""} />
        </label>
        <label className="alert-form-wide">
          Leave out devices with labels (key=value, one per line)
          <textarea name="excludeLabels" rows={2} defaultValue={rule?.excludeLabels.join("\n") ?? ""} placeholder="profile=flaky" />
        </label>
        <label className="inline-check alert-form-wide">
          <input type="checkbox" name="excludeFlapping" defaultChecked={rule?.excludeFlapping ?? false} /> Leave out chronic flappers
          (dropped in 6 or more hours of the day before the window)
        </label>
        <AlertRuleChannelPicker rule={rule} />
        <label className="inline-check">
          <input type="checkbox" name="enabled" defaultChecked={rule?.enabled ?? true} /> Enabled
        </label>
        <div className="button-group">
          <button className="button button-primary" type="submit" disabled={save.isPending}>
            {rule ? "Save rule" : "Create rule"}
          </button>
          <button className="button" type="button" onClick={runPreview} disabled={preview === "loading"}>
            Preview
          </button>
          <button className="button" type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
      {errors.length > 0 ? (
        <ul role="alert" id={errorsId} className="error-text" aria-label="Problems with the rule">
          {errors.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
      {preview !== null ? (
        <section className="alert-preview-section" aria-label="Preview" aria-busy={preview === "loading"}>
          <h3>Over the last 30 days this rule would have…</h3>
          {preview === "loading" ? (
            <p className="muted">Replaying the rule over the rollups…</p>
          ) : (
            <AlertRulePreviewPanel preview={preview} unit={info.unit} />
          )}
        </section>
      ) : null}
    </section>
  );
}
