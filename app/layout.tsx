import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { IngestStatus } from "@/components/ingest-status.tsx";
import { QueryProvider } from "@/components/query-provider.tsx";
import { SiteNav, type NavLink } from "@/components/site-nav.tsx";
import { TimeZoneProvider, TimeZoneToggle, ZonedContent } from "@/components/time-zone.tsx";
import { UserMenu } from "@/components/user-menu.tsx";
import { REQUEST_PATH_HEADER } from "@/lib/auth/public-paths.ts";
import { getPageUser } from "@/lib/auth/require-page-user.ts";
import { hasRole, type Role } from "@/lib/auth/roles.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Linkscope", template: "%s · Linkscope" },
  description: "Why did it disconnect, and what do we do about it?",
};

function navLinks(role: Role): NavLink[] {
  return [
    { href: "/", label: "Overview" },
    { href: "/fleet", label: "Fleet" },
    { href: "/devices", label: "Devices" },
    { href: "/incidents", label: "Incidents" },
    { href: "/alerts", label: "Alerts" },
    { href: "/endpoints", label: "Endpoints" },
    { href: "/ingest", label: "Ingest" },
    { href: "/codes", label: "Codes" },
    { href: "/tools/jwt", label: "JWT check" },
    ...(hasRole(role, "support") ? [{ href: "/tools/probe", label: "Probe" }] : []),
    ...(hasRole(role, "admin") ? [{ href: "/admin/users", label: "Admin" }] : []),
  ];
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the session makes every page dynamic, which the CSP nonce needs anyway.
  const user = await getPageUser();
  // A shared page leads nowhere else, even for a signed-in visitor: no navigation, no link home.
  const sharePage = ((await headers()).get(REQUEST_PATH_HEADER) ?? "").startsWith("/share/");
  const brandIcon = (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
      <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M5 13h4l2-5 3 9 2-4h3" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
    </svg>
  );
  return (
    <html lang="en">
      <body>
        <QueryProvider live={user !== null}>
          <TimeZoneProvider>
            <header className="site-header">
              <div className="site-header-inner">
                {sharePage ? (
                  <span className="brand">
                    {brandIcon}
                    Linkscope
                  </span>
                ) : (
                  <Link href="/" className="brand">
                    {brandIcon}
                    Linkscope
                  </Link>
                )}
                {user && !sharePage ? (
                  <SiteNav links={navLinks(user.role)}>
                    <TimeZoneToggle />
                    <IngestStatus />
                    <UserMenu email={user.email} role={user.role} />
                  </SiteNav>
                ) : (
                  <div className="site-tools site-tools-bare">
                    <TimeZoneToggle />
                  </div>
                )}
              </div>
            </header>
            <main className="page">
              <ZonedContent>{children}</ZonedContent>
            </main>
          </TimeZoneProvider>
        </QueryProvider>
      </body>
    </html>
  );
}
