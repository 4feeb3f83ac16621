import type { Metadata } from "next";
import { headers } from "next/headers";
import { formatDuration, formatTimestamp } from "@/components/format.ts";
import { KIND_LABELS, formatReason } from "@/components/reason-style.ts";
import { getClientAddress } from "@/lib/auth/principal.ts";
import { getDb } from "@/lib/db/client.ts";
import { getSharedDeviceView, SHARED_EVENTS_SHOWN, type SharedSession } from "@/lib/share/get-shared-device-view.ts";
import { openShareLink } from "@/lib/share/share-links.ts";

// The token is in the URL: keep it out of Referer headers and search indexes.
export const metadata: Metadata = { title: "Shared device", referrer: "no-referrer", robots: { index: false, follow: false } };

type SharePageProps = { params: Promise<{ token: string }> };

const REFUSED_MESSAGES = {
  expired: { heading: "This link has expired", text: "Share links stop working after the time chosen when they were made. Ask whoever sent it for a new one." },
  revoked: { heading: "This link was revoked", text: "Whoever shared it has turned it off. Ask them for a new one if you still need it." },
  unknown: { heading: "This link is not valid", text: "Check that the whole link was copied; otherwise ask whoever sent it for a new one." },
} as const;

/** Public, read-only: one device over one window, redacted, with no way to reach anything else. */
export default async function SharePage({ params }: SharePageProps) {
  const { token } = await params;
  const db = getDb();
  const opened = await openShareLink(db, { token: token.slice(0, 200), ip: getClientAddress(await headers()) });
  if (opened.status !== "active") {
    const message = REFUSED_MESSAGES[opened.status];
    return (
      <section className="panel" aria-labelledby="share-refused-heading" data-testid="share-refused">
        <h1 id="share-refused-heading">{message.heading}</h1>
        <p>{message.text}</p>
      </section>
    );
  }
  const view = await getSharedDeviceView(db, opened.link);
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
