/** Download forms for one incident; plain GET forms, so no script is needed. */
export function IncidentExports({ incidentId }: { incidentId: string }) {
  const base = `/api/v1/incidents/${encodeURIComponent(incidentId)}`;
  return (
    <section className="panel" aria-labelledby="incident-exports-heading">
      <div className="panel-header">
        <h2 id="incident-exports-heading">Exports</h2>
      </div>
      <p className="muted">
        The incident as JSON (counts, affected devices, recovery, notes), or a support bundle that adds, for the 50 devices with the most
        drops, their events and sessions around the incident, findings and vendor-ticket text. Passwords, tokens and usernames are always
        removed; every export is recorded in the audit log.
      </p>
      <form method="get" action={`${base}/export`} className="button-group" aria-label="Export incident">
        <label className="inline-check">
          <input type="checkbox" name="redactIps" value="1" /> Mask IP addresses
        </label>
        <button type="submit" className="button button-small">
          Incident as JSON
        </button>
        <button type="submit" formAction={`${base}/support-bundle`} className="button button-small">
          Support bundle
        </button>
      </form>
    </section>
  );
}
