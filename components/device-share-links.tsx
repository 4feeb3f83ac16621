import { LocalTime } from "./time-zone.tsx";
import { ShareLinksPanel, type ShareLinkRow } from "./share-links-panel.tsx";

/** Read-only links to this device over the window shown; the link itself is shown once, at creation. */
export function DeviceShareLinks({
  deviceId,
  from,
  to,
  initialLinks,
}: {
  deviceId: string;
  from: string;
  to: string;
  initialLinks: ShareLinkRow[];
}) {
  return (
    <ShareLinksPanel
      apiBase={`/api/v1/devices/${encodeURIComponent(deviceId)}/share-links`}
      createBody={{ from, to }}
      initialLinks={initialLinks}
      showWindow
      emptyText="No share links for this device."
      description={
        <>
          A read-only page with this device from <LocalTime value={from} /> to <LocalTime value={to} />, for someone without an account. IP
          addresses are masked and credentials removed; every visit is recorded.
        </>
      }
    />
  );
}
