import type { Metadata } from "next";
import Link from "next/link";
import { AlertChannelsAdminPanel } from "@/components/alert-channels-admin-panel.tsx";
import { AlertRulesPanel } from "@/components/alert-rules-panel.tsx";
import { AlertSilencesPanel } from "@/components/alert-silences-panel.tsx";
import { listAlertRules } from "@/lib/alerts/alert-rules.ts";
import { listAlertSilences } from "@/lib/alerts/alert-silences.ts";
import { listMaintenanceWindows } from "@/lib/alerts/maintenance-windows.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";

export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsPage() {
  const user = await requirePageUser();
  const db = getDb();
  const [rules, silences, windows] = await Promise.all([listAlertRules(db), listAlertSilences(db), listMaintenanceWindows(db)]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Alerts</h1>
          <p className="muted">
            Rules the ingest worker evaluates continuously; notifications go to the channels each rule chooses (email, Slack, Teams,
            PagerDuty, Opsgenie, webhook).
          </p>
          <p className="muted">
            An alert fires once its condition has held for the rule&apos;s duration, and resolves only after the value stayed past the clear
            margin.
          </p>
        </div>
        <Link className="button" href="/alerts/history">
          History
        </Link>
      </div>
      <AlertRulesPanel initialData={{ rules: serializeForClient(rules) }} canEdit={hasRole(user.role, "support")} />
      <AlertSilencesPanel
        rules={{ rules: serializeForClient(rules) }}
        silences={{ silences: serializeForClient(silences) }}
        windows={{ windows: serializeForClient(windows) }}
        canEdit={hasRole(user.role, "support")}
      />
      {hasRole(user.role, "admin") ? <AlertChannelsAdminPanel /> : null}
    </>
  );
}
