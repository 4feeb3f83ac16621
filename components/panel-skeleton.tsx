import { Suspense, type ReactNode } from "react";

/** A panel's outline while its data streams in: the heading is there at once, the body shimmers. */
export function PanelSkeleton({ title, lines = 4 }: { title: string; lines?: number }) {
  return (
    <section className="panel panel-skeleton" aria-busy="true" aria-label={`${title} (loading)`}>
      <div className="panel-header">
        <h2>{title}</h2>
        <span className="muted">Loading…</span>
      </div>
      {Array.from({ length: lines }, (_, index) => (
        <div key={index} className="skeleton-line" style={{ width: `${92 - ((index * 17) % 40)}%` }} />
      ))}
    </section>
  );
}

/**
 * One streamed panel of a page: the page's shell is sent at once and each panel's data arrives on its own.
 * A new device-page panel is one line: `<PanelBoundary title="Probe runs"><ProbeRunsPanel deviceId={id} /></PanelBoundary>`.
 */
export function PanelBoundary({ title, lines, children }: { title: string; lines?: number; children: ReactNode }) {
  return <Suspense fallback={<PanelSkeleton title={title} lines={lines} />}>{children}</Suspense>;
}
