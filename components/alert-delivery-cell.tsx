import { isSuppressedMessage } from "@/lib/alerts/suppressed-note.ts";
import { describeDelivery, type AlertDeliveryRow } from "./alert-delivery-summary.ts";
import { formatTimestamp } from "./format.ts";

/** Each channel's delivery of one notification, its attempts behind a disclosure. */
export function AlertDeliveryCell({ deliveries, message }: { deliveries: AlertDeliveryRow[]; message: string }) {
  if (deliveries.length === 0) return <span className="muted">{isSuppressedMessage(message) ? "not sent (silenced)" : "no channel"}</span>;
  return (
    <ul className="delivery-list" aria-label="Deliveries">
      {deliveries.map((delivery) => (
        <li
          key={delivery.id}
          data-status={delivery.status}
          className={delivery.status === "gave_up" || delivery.status === "failed" ? "error-text" : undefined}
        >
          <strong>{delivery.channelName}</strong> ({delivery.channelType}): {describeDelivery(delivery)}
          {delivery.status === "failed" ? <> · next try {formatTimestamp(delivery.nextAttemptAt)}</> : null}
          {delivery.log.length > 0 ? (
            <details>
              <summary>{delivery.log.length === 1 ? "1 attempt" : `${delivery.log.length} attempts`}</summary>
              <ol>
                {delivery.log.map((attempt) => (
                  <li key={attempt.attempt}>
                    {formatTimestamp(attempt.startedAt)} · {attempt.delivered ? "delivered" : (attempt.error ?? "failed")}
                    {attempt.httpStatus !== null ? ` · HTTP ${attempt.httpStatus}` : ""}
                    {attempt.response ? ` · ${attempt.response}` : ""} · {attempt.durationMs} ms
                  </li>
                ))}
              </ol>
            </details>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
