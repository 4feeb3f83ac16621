"use client";

import type { AlertRulePreview } from "@/lib/alerts/preview-alert-rule.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatDuration, formatTimestamp } from "./format.ts";

export type AlertRulePreviewResult = Jsonify<AlertRulePreview>;

const times = (count: number) => `${count.toLocaleString("en-US")} time${count === 1 ? "" : "s"}`;

function describeBaseline(baseline: NonNullable<Extract<AlertRulePreviewResult, { supported: true }>["baseline"]>, unit: string): string {
  if (baseline.usualPerMinute === null)
    return "No baseline yet: the fleet has no history at this hour on any of the previous 7 days, so the rule cannot fire until it has.";
  const from = baseline.firstAt
    ? ` The replay had a baseline from ${formatTimestamp(baseline.firstAt)}; before that the rule could not fire.`
    : "";
  return `Usual rate at this hour: ${baseline.usualPerMinute} ${unit} over ${baseline.days} day${baseline.days === 1 ? "" : "s"}; it fires above ${baseline.threshold ?? "—"} ${unit} now.${from}`;
}

type PreviewEpisode = Extract<AlertRulePreviewResult, { supported: true }>["episodes"][number];

function episodeColumns(unit: string): DataTableColumn<PreviewEpisode>[] {
  return [
    { header: "Fired", className: "nowrap", cell: (episode) => formatTimestamp(episode.firedAt) },
    {
      header: "Resolved",
      className: "nowrap",
      cell: (episode) => (episode.resolvedAt ? formatTimestamp(episode.resolvedAt) : "still firing"),
    },
    {
      header: "Lasted",
      cell: (episode) =>
        episode.resolvedAt ? formatDuration(new Date(episode.resolvedAt).getTime() - new Date(episode.firedAt).getTime()) : "—",
    },
    {
      header: "Value at firing",
      cell: (episode) => `${episode.value} ${unit}${episode.threshold !== null ? ` (threshold ${episode.threshold})` : ""}`,
    },
  ];
}

/** Firing spans over the replayed range, as a strip: where in the month the rule would have been firing. */
function PreviewTimeline({ preview }: { preview: Extract<AlertRulePreviewResult, { supported: true }> }) {
  const from = new Date(preview.from).getTime();
  const span = new Date(preview.to).getTime() - from;
  const at = (time: string | null) => ((time ? new Date(time).getTime() : from + span) - from) / span;
  return (
    <div
      className="alert-preview-timeline"
      role="img"
      aria-label={`Firing periods between ${formatTimestamp(preview.from)} and ${formatTimestamp(preview.to)}`}
    >
      {preview.episodes.map((episode) => {
        const start = at(episode.firedAt);
        return (
          <span key={episode.firedAt} style={{ left: `${start * 100}%`, width: `max(2px, ${(at(episode.resolvedAt) - start) * 100}%)` }} />
        );
      })}
    </div>
  );
}

/** What a rule would have done over the last 7 and 30 days (replayed from the rollups, nothing saved). */
export function AlertRulePreviewPanel({ preview, unit }: { preview: AlertRulePreviewResult; unit: string }) {
  if (!preview.supported) return <p className="muted">{preview.reason}</p>;
  return (
    <div className="alert-preview">
      <ul aria-label="Would have fired">
        {preview.periods.map((period) => (
          <li key={period.days} data-testid={`preview-${period.days}d`}>
            Last {period.days} days: fired {times(period.fired)}, resolved {times(period.resolved)}
          </li>
        ))}
      </ul>
      {preview.baseline ? <p>{describeBaseline(preview.baseline, unit)}</p> : null}
      {preview.firingAtEnd ? <p>It would be firing now.</p> : null}
      <PreviewTimeline preview={preview} />
      {preview.episodes.length > 0 ? (
        <DataTable
          label="Preview firings"
          columns={episodeColumns(unit)}
          rows={preview.episodes}
          rowKey={(episode) => episode.firedAt}
          emptyText={null}
        />
      ) : null}
      {preview.episodeCount > preview.episodes.length ? (
        <p className="muted">
          Showing the latest {preview.episodes.length} of {preview.episodeCount} firings.
        </p>
      ) : null}
      <p className="muted">
        Replayed every {preview.tickSeconds} s over {formatTimestamp(preview.from)} – {formatTimestamp(preview.to)} from the minute rollups,
        with the rule&apos;s hold and clear times, starting from OK ({preview.elapsedMs} ms). A minute counts whole, so a burst can show a
        few seconds earlier than live evaluation saw it.
      </p>
      <p className="muted">
        The rule&apos;s exclusions (devices, labels, chronic flappers as they are now) and maintenance windows apply; silences are not
        replayed: devices silenced in the past are counted, and firings during a rule or scope silence are shown.
      </p>
    </div>
  );
}
