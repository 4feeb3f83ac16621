import type { Metadata } from "next";
import { Suspense } from "react";
import { FleetExplorer } from "@/components/fleet-explorer.tsx";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";

export const metadata: Metadata = { title: "Fleet" };

export default async function FleetPage() {
  await requirePageUser();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Fleet</h1>
          <p className="muted">
            Connected devices, disconnects by reason and code, and the devices behind them, for any range. Times are UTC.
          </p>
        </div>
      </div>
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <FleetExplorer />
      </Suspense>
    </>
  );
}
