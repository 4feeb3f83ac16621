import { ShareLinksPanel, type ShareLinkRow } from "./share-links-panel.tsx";

/** Read-only links to this incident for someone without an account (e.g. a broker vendor or a field technician). */
export function IncidentShareLinks({ incidentId, initialLinks }: { incidentId: string; initialLinks: ShareLinkRow[] }) {
  return (
    <ShareLinksPanel
      apiBase={`/api/v1/incidents/${encodeURIComponent(incidentId)}/share-links`}
      createBody={{}}
      initialLinks={initialLinks}
      emptyText="No share links for this incident."
      description="A read-only page with this incident as it stands when opened: summary, reasons and codes, recovery, affected device IDs and notes (without authors). IP addresses are masked and credentials removed; the page links nowhere else, and every visit is recorded."
    />
  );
}
