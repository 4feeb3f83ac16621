import type { Metadata } from "next";
import { AdminTabs } from "@/components/admin-tabs.tsx";
import { AdminTokens } from "@/components/admin-tokens.tsx";
import { listApiTokens } from "@/lib/auth/api-tokens.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";

export const metadata: Metadata = { title: "API tokens" };

export default async function AdminTokensPage() {
  await requirePageUser("admin");
  const tokens = await listApiTokens(getDb());
  return (
    <>
      <div className="page-header">
        <div>
          <h1>API tokens</h1>
          <p className="muted">
            For automation: send as <code>Authorization: Bearer &lt;token&gt;</code>. A token acts with its role, never above its
            creator&apos;s current role, and stops when its creator is disabled. It is shown once and stored only as a hash.
          </p>
        </div>
      </div>
      <AdminTabs current="/admin/tokens" />
      <AdminTokens initialTokens={serializeForClient(tokens)} />
    </>
  );
}
