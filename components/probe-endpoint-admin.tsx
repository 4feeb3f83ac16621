"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { ProbeEndpointView } from "@/lib/probe-schedule/probe-endpoints.ts";
import { ProbeEndpointForm } from "./probe-endpoint-form.tsx";
import { sendJson } from "./send-json.ts";

/** "New endpoint" on the list page (admins). */
export function NewProbeEndpoint() {
  const [open, setOpen] = useState(false);
  if (open) return <ProbeEndpointForm endpoint={null} onCancel={() => setOpen(false)} />;
  return (
    <div className="toolbar">
      <button className="button button-primary" type="button" onClick={() => setOpen(true)}>
        New endpoint
      </button>
    </div>
  );
}

/** Edit, enable / disable and delete one endpoint (admins). */
export function ProbeEndpointActions({ endpoint }: { endpoint: Jsonify<ProbeEndpointView> }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<unknown>, then: () => void) {
    setBusy(true);
    setError(null);
    try {
      await action();
      then();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  const url = `/api/v1/endpoints/${encodeURIComponent(endpoint.id)}`;
  if (editing) return <ProbeEndpointForm endpoint={endpoint} onCancel={() => setEditing(false)} />;
  return (
    <div className="toolbar">
      <div className="button-group">
        <button className="button" type="button" onClick={() => setEditing(true)} disabled={busy}>
          Edit
        </button>
        <button className="button" type="button" disabled={busy} onClick={() => void run(() => sendJson("PATCH", url, { enabled: !endpoint.enabled }), () => router.refresh())}>
          {endpoint.enabled ? "Disable" : "Enable"}
        </button>
        {confirming ? (
          <>
            <button className="button button-danger" type="button" disabled={busy} onClick={() => void run(() => sendJson("DELETE", url), () => router.push("/endpoints"))}>
              Delete endpoint and its runs
            </button>
            <button className="button" type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button className="button" type="button" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
    </div>
  );
}
