import type { ProbeReport } from "./probe-report.ts";

export type UploadResult = { ok: true; location: string } | { ok: false; error: string };

/** Posts a report to `POST /api/v1/devices/{deviceId}/probes` with an API token (support role or above). */
export async function uploadProbeReport(input: {
  apiUrl: string;
  token: string;
  deviceId: string;
  report: ProbeReport;
}): Promise<UploadResult> {
  const base = input.apiUrl.replace(/\/$/, "");
  const endpoint = `${base}/api/v1/devices/${encodeURIComponent(input.deviceId)}/probes`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { authorization: `Bearer ${input.token}`, "content-type": "application/json" },
      body: JSON.stringify(input.report),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    return { ok: false, error: `could not reach ${base}: ${(error as Error).message}` };
  }
  if (response.ok) return { ok: true, location: `${base}/devices/${encodeURIComponent(input.deviceId)}` };
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return { ok: false, error: `${response.status} ${body?.error?.message ?? response.statusText}` };
}
