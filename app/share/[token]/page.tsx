import type { Metadata } from "next";
import { headers } from "next/headers";
import { formatCount, formatDuration } from "@/components/format.ts";
import { SharedEventsList, SharedTimeline } from "@/components/shared-device-activity.tsx";
import { LocalizedText, LocalTime } from "@/components/time-zone.tsx";
import { serializeForClient } from "@/lib/http/json.ts";
import { getClientAddress } from "@/lib/auth/principal.ts";
import { getDb } from "@/lib/db/client.ts";
import { SharedIncident } from "@/components/shared-incident-view.tsx";
import { getSharedDeviceView, SHARED_EVENTS_SHOWN, type SharedDeviceView } from "@/lib/share/get-shared-device-view.ts";
import { getSharedIncidentView } from "@/lib/share/get-shared-incident-view.ts";
import { getShareScope, openShareLink } from "@/lib/share/share-links.ts";
import { SHARE_REFUSAL_MESSAGES, type ShareRefusal } from "@/lib/share/share-refusal.ts";

// The token is in the URL: keep it out of Referer headers and search indexes.
export const metadata: Metadata = { title: "Shared view", referrer: "no-referrer", robots: { index: false, follow: false } };

type SharePageProps = { params: Promise<{ token: string }> };

/**
 * Public, read-only: one device over one window, or one incident, redacted, with no way to reach anything else.
 * Refused tokens normally get the proxy's 404 / 410 page; this one covers a link revoked in between.
 */
export default async function SharePage({ params }: SharePageProps) {
  const { token } = await params;
  const db = getDb();
  const opened = await openShareLink(db, { token: token.slice(0, 200), ip: getClientAddress(await headers()) });
  if (opened.status !== "active") return <ShareRefused refusal={opened.status} />;
  const scope = getShareScope(opened.link);
  if ("incidentId" in scope) {
    const view = await getSharedIncidentView(db, { incidentId: scope.incidentId, expiresAt: opened.link.expiresAt });
    return view ? <SharedIncident view={view} /> : <ShareRefused refusal="unknown" />;
  }
  return <SharedDevice view={await getSharedDeviceView(db, { ...scope, expiresAt: opened.link.expiresAt })} />;
}

function ShareRefused({ refusal }: { refusal: ShareRefusal }) {
  const message = SHARE_REFUSAL_MESSAGES[refusal];
  return (
    <section className="panel" aria-labelledby="share-refused-heading" data-testid="share-refused">
      <h1 id="share-refused-heading">{message.heading}</h1>
      <p>{message.text}</p>
    </section>
  );
}

function SharedDevice({ view }: { view: SharedDeviceView }) {
  const verdict = view.diagnosis.verdict;
  const { summary } = view.diagnosis;
  return (
    <>
      <div className="device-header">
        <p className="muted">
          Shared read-only view · link expires <LocalTime value={view.expiresAt} />
        </p>
        <div className="device-title">
          <h1 data-testid="shared-device-id">{view.deviceId}</h1>
        </div>
        <p className="muted">
          <LocalTime value={view.window.from} /> to <LocalTime value={view.window.to} /> (
          {formatDuration(view.window.to.getTime() - view.window.from.getTime())})
        </p>
      </div>
      <section className={`verdict verdict-${verdict ? verdict.severity : "ok"}`} aria-labelledby="shared-verdict-heading">
        <h2 id="shared-verdict-heading" className="verdict-label">
          {verdict ? verdict.title : "No problem found"}
        </h2>
        <p className="verdict-text" data-testid="shared-verdict">
          {verdict ? <LocalizedText text={verdict.verdict} /> : "No problem found in the window."}
        </p>
        <p className="verdict-meta">
          {formatCount(summary.connects)} connects · {formatCount(summary.drops)} drops · {formatCount(summary.failedConnects)} failed
          connects
          {verdict ? ` · confidence ${Math.round(verdict.confidence * 100)} %` : null}
        </p>
        {view.diagnosis.findings.length > 1 ? (
          <ul className="verdict-more">
            {view.diagnosis.findings.slice(1).map((finding) => (
              <li key={finding.analyzer}>
                <LocalizedText text={finding.verdict} />
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="shared-timeline-heading">
        <div className="panel-header">
          <h2 id="shared-timeline-heading">Connection timeline</h2>
          <p className="muted">
            {formatCount(view.sessions.length)} sessions · {formatCount(view.events.filter((event) => event.kind !== "connected").length)}{" "}
            disconnects and refusals
          </p>
        </div>
        <SharedTimeline
          sessions={serializeForClient(view.sessions)}
          events={serializeForClient(view.events)}
          from={view.window.from.toISOString()}
          to={view.window.to.toISOString()}
          renderedAt={new Date().toISOString()}
        />
      </section>
      <section className="panel" aria-labelledby="shared-events-heading">
        <div className="panel-header">
          <h2 id="shared-events-heading">Events</h2>
          <p className="muted">
            newest first{view.eventsTruncated ? ` · the newest ${formatCount(SHARED_EVENTS_SHOWN)} of the window` : ""}
          </p>
        </div>
        <SharedEventsList events={serializeForClient(view.events)} />
      </section>
    </>
  );
}
