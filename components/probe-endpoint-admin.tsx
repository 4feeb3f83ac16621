"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { Jsonify } from "@/lib/http/json.ts";
import type { ProbeEndpointView } from "@/lib/probe-schedule/probe-endpoints.ts";
import { ProbeEndpointForm } from "./probe-endpoint-form.tsx";
import { MutationError } from "./mutation-error.tsx";
import { useApiWrite } from "./use-api-write.ts";

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
  const toggle = useApiWrite({ refreshPage: true });
  const removal = useApiWrite();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const busy = toggle.isPending || removal.isPending;

  const url = `/api/v1/endpoints/${encodeURIComponent(endpoint.id)}`;
  if (editing) return <ProbeEndpointForm endpoint={endpoint} onCancel={() => setEditing(false)} />;
  return (
    <div className="toolbar">
      <div className="button-group">
        <button className="button" type="button" onClick={() => setEditing(true)} disabled={busy}>
          Edit
        </button>
        <button
          className="button"
          type="button"
          disabled={busy}
          onClick={() => toggle.mutate({ method: "PATCH", url, body: { enabled: !endpoint.enabled } })}
        >
          {endpoint.enabled ? "Disable" : "Enable"}
        </button>
        {confirming ? (
          <>
            <button
              className="button button-danger"
              type="button"
              disabled={busy}
              onClick={() => removal.mutate({ method: "DELETE", url }, { onSuccess: () => router.push("/endpoints") })}
            >
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
      <MutationError error={toggle.error ?? removal.error} />
    </div>
  );
}
