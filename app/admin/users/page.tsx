import type { Metadata } from "next";
import { AdminTabs } from "@/components/admin-tabs.tsx";
import { AdminUsers } from "@/components/admin-users.tsx";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";
import { listUsers } from "@/lib/auth/users.ts";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";

export const metadata: Metadata = { title: "Users & roles" };

export default async function AdminUsersPage() {
  const me = await requirePageUser("admin");
  const users = await listUsers(getDb());
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Users & roles</h1>
          <p className="muted">viewer: read · support: read, exports, share links, notes · admin: users, sources, tokens, alert rules</p>
        </div>
      </div>
      <AdminTabs current="/admin/users" />
      <AdminUsers initialUsers={serializeForClient(users)} currentUserId={me.id} />
    </>
  );
}
