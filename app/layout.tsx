import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { IngestStatus } from "@/components/ingest-status.tsx";
import { QueryProvider } from "@/components/query-provider.tsx";
import { UserMenu } from "@/components/user-menu.tsx";
import { getPageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole } from "@/lib/auth/roles.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Linkscope", template: "%s · Linkscope" },
  description: "Why did it disconnect, and what do we do about it?",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the session makes every page dynamic, which the CSP nonce needs anyway.
  const user = await getPageUser();
  return (
    <html lang="en">
      <body>
        <QueryProvider>
          <header className="site-header">
            <div className="site-header-inner">
              <Link href="/" className="brand">
                <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
                  <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" strokeWidth="2" />
                  <path d="M5 13h4l2-5 3 9 2-4h3" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
                </svg>
                Linkscope
              </Link>
              {user ? (
                <>
                  <nav aria-label="Main" className="main-nav">
                    <Link href="/">Overview</Link>
                    <Link href="/fleet">Fleet</Link>
                    <Link href="/devices">Devices</Link>
                    <Link href="/incidents">Incidents</Link>
                    <Link href="/ingest">Ingest</Link>
                    <Link href="/codes">Codes</Link>
                    <Link href="/tools/jwt">JWT check</Link>
                    {hasRole(user.role, "admin") ? <Link href="/admin/users">Admin</Link> : null}
                  </nav>
                  <IngestStatus />
                  <UserMenu email={user.email} role={user.role} />
                </>
              ) : null}
            </div>
          </header>
          <main className="page">{children}</main>
        </QueryProvider>
      </body>
    </html>
  );
}
