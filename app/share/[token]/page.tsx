import type { Metadata } from "next";
import { headers } from "next/headers";
import { formatDuration, formatTimestamp } from "@/components/format.ts";
import { KIND_LABELS, formatReason } from "@/components/reason-style.ts";
import { getClientAddress } from "@/lib/auth/principal.ts";
import { getDb } from "@/lib/db/client.ts";
import { SharedIncident } from "@/components/shared-incident-view.tsx";
import { getSharedDeviceView, SHARED_EVENTS_SHOWN, type SharedDeviceView, type SharedSession } from "@/lib/share/get-shared-device-view.ts";
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
  return (
    <>
      <div className="device-header">
        <p className="muted">Shared read-only view · link expires {formatTimestamp(view.expiresAt)}</p>
        <div className="device-title">
          <h1 data-testid="shared-device-id">{view.deviceId}</h1>
        </div>
        <p>
          Window (UTC): {formatTimestamp(view.window.from)} to {formatTimestamp(view.window.to)}
        </p>
      </div>
      <section className="panel" aria-labelledby="shared-verdict-heading">
        <h2 id="shared-verdict-heading">Verdict</h2>
        <p data-testid="shared-verdict">{verdict ? verdict.verdict : "No problem found in the window."}</p>
        {view.diagnosis.findings.length > 1 ? (
          <ul>
            {view.diagnosis.findings.slice(1).map((finding) => (
              <li key={finding.analyzer}>{finding.verdict}</li>
            ))}
          </ul>
        ) : null}
        <p className="muted">
          Connects {view.diagnosis.summary.connects} · drops {view.diagnosis.summary.drops} · failed connects {view.diagnosis.summary.failedConnects}
        </p>
      </section>
      <section className="panel" aria-labelledby="shared-timeline-heading">
        <h2 id="shared-timeline-heading">Timeline</h2>
        <SessionStrip sessions={view.sessions} from={view.window.from} to={view.window.to} />
        <table>
          <thead>
            <tr>
              <th scope="col">Connected</th>
              <th scope="col">Ended</th>
              <th scope="col">Duration</th>
              <th scope="col">End reason</th>
            </tr>
          </thead>
          <tbody>
            {view.sessions.map((session) => (
              <tr key={session.id}>
                <td>{formatTimestamp(session.startedAt)}</td>
                <td>{session.endedAt ? formatTimestamp(session.endedAt) : "still connected"}</td>
                <td>{formatDuration(session.durationMs)}</td>
                <td>
                  {session.endReason ? formatReason(session.endReason) : "—"}
                  {session.endCode ? <code> · {session.endCode}</code> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" aria-labelledby="shared-events-heading">
        <h2 id="shared-events-heading">Events</h2>
        {view.eventsTruncated ? <p className="muted">The newest {SHARED_EVENTS_SHOWN} events of the window.</p> : null}
        <table data-testid="shared-events">
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Event</th>
              <th scope="col">Reason</th>
              <th scope="col">Code</th>
              <th scope="col">Client IP</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {view.events.map((event) => (
              <tr key={event.id}>
                <td>{formatTimestamp(event.occurredAt, { milliseconds: true })}</td>
                <td>{KIND_LABELS[event.kind]}</td>
                <td>{formatReason(event.reason)}</td>
                <td>{event.code ? <code>{event.code}</code> : "—"}</td>
                <td>{event.clientIp ?? "—"}</td>
                <td>{event.message ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function SessionStrip({ sessions, from, to }: { sessions: readonly SharedSession[]; from: Date; to: Date }) {
  const span = Math.max(1, to.getTime() - from.getTime());
  const position = (date: Date) => Math.min(100, Math.max(0, ((date.getTime() - from.getTime()) / span) * 100));
  return (
    <div className="share-strip" role="img" aria-label={`${sessions.length} sessions in the window`}>
      {sessions.map((session) => {
        const left = position(session.startedAt);
        const right = position(session.endedAt ?? to);
        return <span key={session.id} className="share-strip-session" style={{ left: `${left}%`, width: `${Math.max(0.3, right - left)}%` }} />;
      })}
    </div>
  );
}
