"use client";

import { useRouter } from "next/navigation";
import { useRef, type FormEvent } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { ProbeEndpointView } from "@/lib/probe-schedule/probe-endpoints.ts";
import { useApiWrite, type ApiWrite } from "./use-api-write.ts";
import { useInvalidFieldMarks } from "./use-invalid-field-marks.ts";

type EndpointRow = Jsonify<ProbeEndpointView>;

const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  url: "URL",
  mqttVersion: "MQTT version",
  clientId: "Client ID",
  username: "Username",
  password: "Password",
  caPem: "CA certificate",
  intervalMinutes: "Every, minutes",
  source: "Source",
  brokerNode: "Broker node",
};

/** The API's `url: must be …; …` as one line per field, named as on the form. */
function toReadableErrors(message: string): string[] {
  return message.split("; ").map((part) => {
    const match = /^([\w.]+): (.*)$/.exec(part);
    const label = match?.[1] ? FIELD_LABELS[match[1]] : undefined;
    return label && match?.[2] !== undefined ? `${label}: ${match[2]}` : part;
  });
}

const text = (form: FormData, name: string) => String(form.get(name) ?? "").trim();

/** Create or edit an endpoint (admins). The stored password is never shown: leave the field empty to keep it. */
export function ProbeEndpointForm({ endpoint, onCancel }: { endpoint: EndpointRow | null; onCancel: () => void }) {
  const router = useRouter();
  const save = useApiWrite<{ endpoint: EndpointRow }>({ refreshPage: true });
  const errors = save.error ? toReadableErrors(save.error.message) : [];
  const formRef = useRef<HTMLFormElement>(null);
  const errorsId = useInvalidFieldMarks(formRef, save.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const interval = Number(text(form, "intervalMinutes"));
    const body: Record<string, unknown> = {
      name: text(form, "name"),
      url: text(form, "url"),
      mqttVersion: text(form, "mqttVersion") === "5" ? 5 : 4,
      clientId: text(form, "clientId") || null,
      username: text(form, "username") || null,
      caPem: text(form, "caPem") || null,
      intervalMinutes: Number.isFinite(interval) && text(form, "intervalMinutes") !== "" ? interval : text(form, "intervalMinutes"),
      enabled: form.get("enabled") === "on",
      source: text(form, "source") || null,
      brokerNode: text(form, "brokerNode") || null,
    };
    const password = String(form.get("password") ?? "");
    if (form.get("removePassword") === "on") body.password = null;
    else if (password !== "") body.password = password;
    const request: ApiWrite = endpoint
      ? { method: "PATCH", url: `/api/v1/endpoints/${encodeURIComponent(endpoint.id)}`, body }
      : { method: "POST", url: "/api/v1/endpoints", body };
    save.mutate(request, {
      onSuccess: (result) => {
        if (!endpoint && result) router.push(`/endpoints/${encodeURIComponent(result.endpoint.id)}`);
        else onCancel();
      },
    });
  }

  const heading = endpoint ? `Edit “${endpoint.name}”` : "New endpoint";
  return (
    <section className="panel" aria-label={heading}>
      <h2>{heading}</h2>
      <form ref={formRef} className="admin-form alert-form" onSubmit={submit} noValidate>
        <label>
          Name
          <input name="name" defaultValue={endpoint?.name ?? ""} maxLength={100} required />
        </label>
        <label className="alert-form-wide">
          URL (mqtt, mqtts, ws or wss)
          <input name="url" defaultValue={endpoint?.url ?? ""} placeholder="mqtts://broker.example.com:8883" autoComplete="off" required />
        </label>
        <label>
          MQTT version
          <select name="mqttVersion" defaultValue={String(endpoint?.mqttVersion ?? 4)}>
            <option value="4">3.1.1</option>
            <option value="5">5</option>
          </select>
        </label>
        <label>
          Every, minutes
          <input name="intervalMinutes" inputMode="numeric" defaultValue={endpoint?.intervalMinutes ?? 5} required />
        </label>
        <label>
          Source (the fleet it serves)
          <input name="source" defaultValue={endpoint?.source ?? ""} placeholder="emqx" />
        </label>
        <label>
          Broker node (empty: the whole source)
          <input name="brokerNode" defaultValue={endpoint?.brokerNode ?? ""} placeholder="emqx@node1" />
        </label>
        <label>
          Client ID (optional)
          <input name="clientId" defaultValue={endpoint?.clientId ?? ""} autoComplete="off" />
        </label>
        <label>
          Username (optional)
          <input name="username" defaultValue={endpoint?.username ?? ""} autoComplete="off" />
        </label>
        <label>
          Password (optional, kept secret)
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            placeholder={endpoint?.hasPassword ? "stored (leave empty to keep)" : ""}
          />
        </label>
        {endpoint?.hasPassword ? (
          <label className="inline-check">
            <input type="checkbox" name="removePassword" /> Remove the stored password
          </label>
        ) : null}
        <label className="alert-form-wide">
          CA certificate, PEM (optional, for a private CA)
          <textarea name="caPem" rows={3} defaultValue={endpoint?.caPem ?? ""} placeholder="-----BEGIN CERTIFICATE-----" />
        </label>
        <label className="inline-check">
          <input type="checkbox" name="enabled" defaultChecked={endpoint?.enabled ?? true} /> Enabled
        </label>
        {errors.length > 0 ? (
          <div role="alert" id={errorsId} className="error-text alert-form-wide">
            {errors.map((error) => (
              <p key={error}>{error}</p>
            ))}
          </div>
        ) : null}
        <div className="button-group alert-form-wide">
          <button className="button button-primary" type="submit" disabled={save.isPending}>
            {endpoint ? "Save endpoint" : "Create endpoint"}
          </button>
          <button className="button" type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
