import type { Metadata } from "next";
import Link from "next/link";
import { AlertHistoryTable } from "@/components/alert-history-table.tsx";
import { ALERT_HISTORY_KINDS, AlertRuleIdPattern } from "@/lib/alerts/alert-rule-schemas.ts";
import { listAlertRules } from "@/lib/alerts/alert-rules.ts";
import { listAlertHistory } from "@/lib/alerts/list-alert-history.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";

export const metadata: Metadata = { title: "Alert history" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AlertHistoryPage({ searchParams }: Props) {
  await requirePageUser();
  const params = await searchParams;
  const ruleId = typeof params.ruleId === "string" && AlertRuleIdPattern.test(params.ruleId) ? params.ruleId : undefined;
  const status = ALERT_HISTORY_KINDS.find((kind) => kind === params.status);
  const before = typeof params.before === "string" && /^\d{1,19}$/.test(params.before) ? params.before : undefined;
  const db = getDb();
  const [history, rules] = await Promise.all([
    listAlertHistory(db, { ruleId, status, limit: 100, before: before === undefined ? undefined : BigInt(before) }),
    listAlertRules(db),
  ]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Alert history</h1>
          <p className="muted">Fired, resolved and test notifications with their delivery result. Newest first, UTC.</p>
        </div>
        <Link className="button" href="/alerts">
          Rules
        </Link>
      </div>
      <form className="button-group alert-filter" method="get" aria-label="Filter alert history">
        <label>
          Rule{" "}
          <select name="ruleId" defaultValue={ruleId ?? ""}>
            <option value="">all rules</option>
            {rules.map((rule) => (
              <option key={rule.id} value={rule.id}>
                {rule.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{" "}
          <select name="status" defaultValue={status ?? ""}>
            <option value="">all</option>
            {ALERT_HISTORY_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </label>
        <button className="button button-small" type="submit">
          Filter
        </button>
      </form>
      <AlertHistoryTable filter={{ ruleId, status, before }} initialData={serializeForClient(history)} />
    </>
  );
}
