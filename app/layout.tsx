import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { IngestStatus } from "@/components/ingest-status.tsx";
import { QueryProvider } from "@/components/query-provider.tsx";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Linkscope", template: "%s · Linkscope" },
  description: "Why did it disconnect, and what do we do about it?",
};

export default function RootLayout({ children }: { children: ReactNode }) {
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
              <nav aria-label="Main" className="main-nav">
                <Link href="/">Fleet</Link>
                <Link href="/devices">Devices</Link>
                <Link href="/ingest">Ingest</Link>
              </nav>
              <IngestStatus />
            </div>
          </header>
          <main className="page">{children}</main>
        </QueryProvider>
      </body>
    </html>
  );
}
