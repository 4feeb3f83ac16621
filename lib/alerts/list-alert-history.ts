import type { AlertDelivery, AlertDeliveryAttempt, AlertHistory } from "@/generated/prisma/client.ts";
import type { Db } from "@/lib/db/client.ts";
import { redactText } from "@/lib/security/redact.ts";
import type { AlertHistoryQuery } from "./alert-rule-schemas.ts";

/** One channel's delivery of a notification, with every attempt (the notification body itself is not answered). */
export type AlertDeliveryView = Omit<AlertDelivery, "id" | "historyId" | "notification" | "claimToken"> & {
  id: string;
  log: Omit<AlertDeliveryAttempt, "id" | "deliveryId">[];
};
export type AlertHistoryView = Omit<AlertHistory, "id"> & { id: string; linkPath: string; deliveries: AlertDeliveryView[] };

type HistoryRow = AlertHistory & { deliveries: (AlertDelivery & { attemptsLog: AlertDeliveryAttempt[] })[] };

export const WITH_DELIVERIES = {
  deliveries: { orderBy: { id: "asc" }, include: { attemptsLog: { orderBy: { attempt: "asc" } } } },
} as const;

const redactOrNull = (text: string | null) => (text === null ? null : redactText(text));

function toDeliveryView(delivery: HistoryRow["deliveries"][number]): AlertDeliveryView {
  const { id, historyId: _historyId, notification: _notification, claimToken: _claimToken, attemptsLog, ...rest } = delivery;
  return {
    ...rest,
    id: id.toString(),
    error: redactOrNull(rest.error),
    response: redactOrNull(rest.response),
    log: attemptsLog.map(({ id: _id, deliveryId: _deliveryId, ...attempt }) => ({
      ...attempt,
      error: redactOrNull(attempt.error),
      response: redactOrNull(attempt.response),
    })),
  };
}

/** The history row with the link also as a path on this server (the stored link uses the public base URL). */
export function toHistoryView(row: HistoryRow): AlertHistoryView {
  let linkPath = "/alerts/history";
  try {
    const url = new URL(row.link);
    linkPath = `${url.pathname}${url.search}`;
  } catch {
    // Not a URL (never written so): keep the history page.
  }
  return { ...row, id: row.id.toString(), message: redactText(row.message), linkPath, deliveries: row.deliveries.map(toDeliveryView) };
}

/** Newest first; `nextBefore` is the ID to pass as `before` for the next page, or null on the last one. */
export async function listAlertHistory(
  db: Db,
  query: AlertHistoryQuery,
): Promise<{ history: AlertHistoryView[]; nextBefore: string | null }> {
  const rows = await db.alertHistory.findMany({
    where: {
      ...(query.ruleId ? { ruleId: query.ruleId } : {}),
      ...(query.status ? { kind: query.status } : {}),
      ...(query.before !== undefined ? { id: { lt: query.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit + 1,
    include: WITH_DELIVERIES,
  });
  const page = rows.slice(0, query.limit).map(toHistoryView);
  return { history: page, nextBefore: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
}
