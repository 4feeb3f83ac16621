import type { AlertHistory } from "@/generated/prisma/client.ts";
import type { Db } from "@/lib/db/client.ts";
import { redactText } from "@/lib/security/redact.ts";
import type { AlertHistoryQuery } from "./alert-rule-schemas.ts";

export type AlertHistoryView = Omit<AlertHistory, "id"> & { id: string; linkPath: string };

/** The history row with the link also as a path on this server (the stored link uses the public base URL). */
export function toHistoryView(row: AlertHistory): AlertHistoryView {
  let linkPath = "/alerts/history";
  try {
    const url = new URL(row.link);
    linkPath = `${url.pathname}${url.search}`;
  } catch {
    // Not a URL (never written so): keep the history page.
  }
  return { ...row, id: row.id.toString(), message: redactText(row.message), error: row.error === null ? null : redactText(row.error), linkPath };
}

/** Newest first; `nextBefore` is the ID to pass as `before` for the next page, or null on the last one. */
export async function listAlertHistory(db: Db, query: AlertHistoryQuery): Promise<{ history: AlertHistoryView[]; nextBefore: string | null }> {
  const rows = await db.alertHistory.findMany({
    where: {
      ...(query.ruleId ? { ruleId: query.ruleId } : {}),
      ...(query.status ? { kind: query.status } : {}),
      ...(query.before !== undefined ? { id: { lt: query.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit).map(toHistoryView);
  return { history: page, nextBefore: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
}
