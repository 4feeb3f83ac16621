import { LocalTime } from "./time-zone.tsx";

/**
 * Download forms for one device over the window the page shows; a plain GET form, so no script is needed. One
 * "Mask IP addresses" choice serves every download: the support bundle's button posts the same fields elsewhere.
 */
export function DeviceExports({ deviceId, from, to }: { deviceId: string; from: Date; to: Date }) {
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}`;
  return (
    <section className="panel" aria-labelledby="exports-heading">
      <div className="panel-header">
        <h2 id="exports-heading">Exports</h2>
      </div>
      <p className="muted">
        The window shown above (<LocalTime value={from} /> to <LocalTime value={to} />
        ). Passwords, tokens and usernames are always removed; every export is recorded in the audit log.
      </p>
      <form method="get" action={`${base}/export`} className="button-group" aria-label="Export device history">
        <input type="hidden" name="from" value={from.toISOString()} />
        <input type="hidden" name="to" value={to.toISOString()} />
        <label className="inline-check">
          <input type="checkbox" name="redactIps" value="1" /> Mask IP addresses
        </label>
        <button type="submit" name="format" value="csv" className="button button-small">
          History as CSV
        </button>
        <button type="submit" name="format" value="json" className="button button-small">
          History as JSON
        </button>
        <button type="submit" formAction={`${base}/support-bundle`} className="button button-small">
          Support bundle
        </button>
      </form>
    </section>
  );
}
