/** "Open" stands out (it is happening now); "Closed" is quiet. */
export function IncidentStatusBadge({ status }: { status: "open" | "closed" }) {
  return status === "open" ? (
    <span className="badge badge-offline" data-testid="incident-open">
      <span className="badge-dot" aria-hidden="true" />
      Open
    </span>
  ) : (
    <span className="badge badge-unknown">Closed</span>
  );
}
