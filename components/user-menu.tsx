"use client";

import { signOut } from "next-auth/react";

export function UserMenu({ email, role }: { email: string; role: string }) {
  return (
    <div className="user-menu">
      <span className="user-menu-email" title={`Signed in as ${email} (${role})`}>
        {email} · {role}
      </span>
      <button className="button button-small" type="button" onClick={() => void signOut({ callbackUrl: "/signin" })}>
        Sign out
      </button>
    </div>
  );
}
