"use client";

import { useQuery } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { ALERT_CHANNEL_TYPES, CHANNEL_TYPE_INFO, type AlertChannelType } from "@/lib/alerts/channels/channel-types.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { MutationError } from "./mutation-error.tsx";
import { alertKeys, alertQueries, type AlertChannelRow, type AlertChannelsResponse } from "./queries/alerts.ts";
import { useApiWrite, type ApiWrite } from "./use-api-write.ts";

type TestResult = { delivered: boolean; httpStatus: number | null; response: string | null; error: string | null };

function describeSettings(channel: AlertChannelRow): string {
  const settings = Object.entries(channel.settings).map(
    ([key, value]) => `${key}: ${Array.isArray(value) ? value.join(", ") : String(value ?? "–")}`,
  );
  const secrets = Object.entries(channel.secrets).map(([key, value]) => `${key}: ${value ?? "not set"}`);
  return [...settings, ...secrets].join(" · ");
}

function ChannelForm({ channel, onDone, onCancel }: { channel: AlertChannelRow | null; onDone: () => void; onCancel: () => void }) {
  const [type, setType] = useState<AlertChannelType>(channel?.type ?? "slack");
  const save = useApiWrite({ invalidates: [alertKeys.channels] });
  const formRef = useRef<HTMLFormElement>(null);
  const info = CHANNEL_TYPE_INFO[type];

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const settings: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const field of info.fields) {
      const value = String(form.get(field.name) ?? "").trim();
      if (field.secret) secrets[field.name] = value;
      else if (value !== "") settings[field.name] = value;
    }
    const name = String(form.get("name") ?? "");
    const request: ApiWrite = channel
      ? { method: "PATCH", url: `/api/v1/alerts/channels/${encodeURIComponent(channel.id)}`, body: { name, settings, secrets } }
      : { method: "POST", url: "/api/v1/alerts/channels", body: { name, type, settings, secrets } };
    save.mutate(request, { onSuccess: onDone });
  }

  const heading = channel ? `Edit channel “${channel.name}”` : "New channel";
  return (
    <form ref={formRef} className="admin-form alert-form" aria-label={heading} onSubmit={submit} noValidate>
      <label>
        Name
        <input name="name" defaultValue={channel?.name ?? ""} maxLength={120} required />
      </label>
      <label>
        Type
        <select name="type" value={type} disabled={channel !== null} onChange={(event) => setType(event.target.value as AlertChannelType)}>
          {ALERT_CHANNEL_TYPES.map((value) => (
            <option key={value} value={value}>
              {CHANNEL_TYPE_INFO[value].label}
            </option>
          ))}
        </select>
      </label>
      {info.fields.map((field) => {
        const stored = field.secret ? channel?.secrets[field.name] : channel?.settings[field.name];
        const label = `${field.label}${field.optional ? " (optional)" : ""}`;
        if (field.options) {
          return (
            <label key={`${type}-${field.name}`}>
              {label}
              <select name={field.name} defaultValue={typeof stored === "string" ? stored : field.options[0]}>
                {field.options.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            </label>
          );
        }
        const shown = Array.isArray(stored) ? stored.join(", ") : stored === null || stored === undefined ? "" : String(stored);
        return (
          <label key={`${type}-${field.name}`} className={field.secret ? "alert-form-wide" : undefined}>
            {label}
            {field.secret ? (
              <input
                name={field.name}
                type="password"
                autoComplete="off"
                placeholder={shown ? `${shown} (leave empty to keep)` : (field.placeholder ?? "")}
              />
            ) : (
              <input name={field.name} defaultValue={shown} placeholder={field.placeholder ?? ""} />
            )}
          </label>
        );
      })}
      <div className="button-group">
        <button className="button button-primary" type="submit" disabled={save.isPending}>
          {channel ? "Save channel" : "Add channel"}
        </button>
        <button className="button" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <MutationError error={save.error} form={formRef} />
    </form>
  );
}

/** Admins set up where notifications go; secrets are shown only masked and kept when a field is left empty. */
export function AlertChannelsPanel({ initialData }: { initialData: AlertChannelsResponse }) {
  const channels = useQuery({ ...alertQueries.channels(), initialData }).data.channels;
  const test = useApiWrite<{ result: TestResult }>();
  const removal = useApiWrite({ invalidates: [alertKeys.channels] });
  const [editing, setEditing] = useState<AlertChannelRow | "new" | null>(null);
  const [results, setResults] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [removing, setRemoving] = useState<AlertChannelRow | null>(null);

  function sendTest(channel: AlertChannelRow) {
    setResults((current) => ({ ...current, [channel.id]: { ok: true, text: "Sending…" } }));
    test.mutate(
      { method: "POST", url: `/api/v1/alerts/channels/${encodeURIComponent(channel.id)}/test` },
      {
        onSuccess: (answer) => {
          const result = answer?.result;
          const text = result?.delivered
            ? `Test delivered${result.httpStatus ? ` (HTTP ${result.httpStatus})` : result.response ? ` (${result.response})` : ""}`
            : `Test failed: ${result?.error ?? "unknown"}`;
          setResults((current) => ({ ...current, [channel.id]: { ok: Boolean(result?.delivered), text } }));
        },
        onError: (failure) => setResults((current) => ({ ...current, [channel.id]: { ok: false, text: failure.message } })),
      },
    );
  }

  function remove(channel: AlertChannelRow) {
    setRemoving(channel);
    removal.mutate({ method: "DELETE", url: `/api/v1/alerts/channels/${encodeURIComponent(channel.id)}` });
  }

  const columns: DataTableColumn<AlertChannelRow>[] = [
    { header: "Name", cell: (channel) => channel.name },
    { header: "Type", cell: (channel) => CHANNEL_TYPE_INFO[channel.type].label },
    { header: "Settings", className: "mono", testId: "channel-settings", cell: (channel) => describeSettings(channel) },
    { header: "Rules", numeric: true, cell: (channel) => channel.rules },
    {
      header: "Actions",
      cell: (channel) => (
        <>
          <div className="button-group">
            <button className="button button-small" type="button" onClick={() => sendTest(channel)}>
              Send test
            </button>
            <button className="button button-small" type="button" onClick={() => setEditing(channel)}>
              Edit
            </button>
            <button className="button button-small" type="button" onClick={() => remove(channel)}>
              Delete
            </button>
          </div>
          {results[channel.id] ? (
            <p role="status" className={results[channel.id]?.ok ? "muted" : "error-text"}>
              {results[channel.id]?.text}
            </p>
          ) : null}
        </>
      ),
    },
  ];

  return (
    <section className="panel" aria-label="Notification channels">
      <div className="panel-header">
        <h2>Notification channels</h2>
        {editing === null ? (
          <button className="button button-small" type="button" onClick={() => setEditing("new")}>
            New channel
          </button>
        ) : null}
      </div>
      {editing !== null ? (
        <ChannelForm
          key={editing === "new" ? "new" : editing.id}
          channel={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onDone={() => setEditing(null)}
        />
      ) : null}
      <MutationError error={removal.error && removing ? `${removing.name}: ${removal.error.message}` : null} />
      <DataTable
        label="Notification channels"
        columns={columns}
        rows={channels}
        rowKey={(channel) => channel.id}
        rowTestId="channel-row"
        emptyText="No channels yet. Add one, then choose it on a rule."
      />
    </section>
  );
}
