import type { AlertHistoryRow } from "./queries/alerts.ts";

export type AlertDeliveryRow = AlertHistoryRow["deliveries"][number];

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** `delivered (HTTP 200, 2 attempts)`, `retrying: HTTP 500 (1 attempt)`, `gave up: SMTP 550 (…)`. */
export function describeDelivery(delivery: AlertDeliveryRow): string {
  const attempts = plural(delivery.attempts, "attempt");
  const answer = delivery.httpStatus !== null ? `HTTP ${delivery.httpStatus}` : (delivery.response ?? "sent");
  switch (delivery.status) {
    case "delivered":
      return `delivered (${answer}${delivery.attempts > 1 ? `, ${attempts}` : ""})`;
    case "failed":
      return `retrying: ${delivery.error ?? "unknown"} (${attempts})`;
    case "gave_up":
      return `gave up: ${delivery.error ?? "unknown"} (${attempts})`;
    case "delivering":
      return "sending…";
    case "pending":
      return "queued";
  }
}

/** One line for a test fire's outcome over all of the rule's channels. */
export function describeTestResult(history: AlertHistoryRow): { ok: boolean; text: string } {
  const parts = history.deliveries.map((delivery) => `${delivery.channelName}: ${describeDelivery(delivery)}`);
  return { ok: history.deliveries.every((delivery) => delivery.status === "delivered"), text: `Test ${parts.join("; ")}` };
}
