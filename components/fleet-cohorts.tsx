"use client";

import { useQuery } from "@tanstack/react-query";
import { fleetQueries, type CohortListResponse, type CohortPairResponse, type RolloutResponse } from "./queries/fleet.ts";
import { useState, type ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import type { RateRatio, RateVerdict } from "@/lib/cohorts/rate-ratio.ts";
import { ROLLOUT_SPANS } from "@/lib/cohorts/rollout-spans.ts";
import type { FleetViewState } from "@/lib/fleet/fleet-view-state.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { DeviceLink } from "./fleet-panels.tsx";
import { formatCount, formatPercent, formatTimestamp } from "./format.ts";
import "./fleet-cohorts.css";

type Ratio = Jsonify<RateRatio>;

/** Intervals wider than this are drawn to the edge of the chart (and say so in the table). */
const CHART_MAX_RATIO = 4;

const cohortName = (value: string | null) => (value === null ? "the rest" : value === "" ? "(not set)" : value);
const perThousand = (rate: number | null) => (rate === null ? "—" : (rate * 1000).toFixed(rate * 1000 >= 100 ? 0 : 1));
const formatRatio = (value: number | null) => (value === null ? "∞" : value.toFixed(value >= 10 ? 0 : 2));
const formatInterval = (ratio: Ratio) => `${formatRatio(ratio.low)}–${formatRatio(ratio.high)}`;
/** No events on either side: nothing to compare (not an unbounded ratio). */
const hasNoEvents = (ratio: Ratio) => ratio.ratio === null && ratio.low === 0 && ratio.high === null;
const levelText = (level: number) => `${(level * 100).toFixed(level > 0.99 ? 1 : 0)} %`;

const VERDICT_TEXT: Record<RateVerdict, string> = { worse: "Worse", better: "Better", no_difference: "No clear difference" };

/** A query's error, "Loading…", its empty text, or its content. */
function QueryBody<T>(props: {
  query: { error: Error | null; data: T | undefined };
  isEmpty?: (data: T) => boolean;
  emptyText?: string;
  children: (data: T) => ReactNode;
}) {
  const { error, data } = props.query;
  if (error)
    return (
      <p className="error-text" role="alert">
        {error.message}
      </p>
    );
  if (data === undefined) return <p className="muted">Loading…</p>;
  if (props.isEmpty?.(data)) return <p className="empty">{props.emptyText}</p>;
  return <>{props.children(data)}</>;
}

function RatioText({ ratio }: { ratio: Ratio }) {
  if (hasNoEvents(ratio)) return <span className="muted">—</span>;
  return (
    <>
      {formatRatio(ratio.ratio)}× <span className="muted">({formatInterval(ratio)})</span>
    </>
  );
}

type Cohort = CohortListResponse["cohorts"][number];
type CohortReason = CohortPairResponse["reasons"][number];
type MovedDevice = NonNullable<RolloutResponse["rollout"]>["topDevices"][number];

const COHORT_RATE_COLUMNS: DataTableColumn<Cohort>[] = [
  { header: "Devices", numeric: true, cell: (cohort) => formatCount(cohort.devices) },
  { header: "Device-hours", numeric: true, cell: (cohort) => formatCount(Math.round(cohort.exposureHours)) },
  { header: "Drops /1k h", numeric: true, cell: (cohort) => perThousand(cohort.dropsPerDeviceHour) },
  { header: "vs rest", numeric: true, cell: (cohort) => <RatioText ratio={cohort.dropRatio} /> },
  { header: "Verdict", cell: (cohort) => <Verdict verdict={cohort.verdict} /> },
  { header: "Refusals /1k h", numeric: true, cell: (cohort) => perThousand(cohort.refusalsPerDeviceHour) },
  { header: "Connected", numeric: true, cell: (cohort) => formatPercent(cohort.connectedShare) },
];

function reasonColumns(a: string, b: string | null): DataTableColumn<CohortReason>[] {
  return [
    {
      header: "Reason",
      rowHeader: true,
      cell: (reason) => (
        <>
          <code>{reason.reason}</code> <span className="muted">{reason.kind === "drop" ? "drop" : "refused"}</span>
        </>
      ),
    },
    { header: `${cohortName(a)} /1k h`, key: "a", numeric: true, cell: (reason) => perThousand(reason.aPerDeviceHour) },
    { header: `${cohortName(b)} /1k h`, key: "b", numeric: true, cell: (reason) => perThousand(reason.bPerDeviceHour) },
    {
      header: "Difference /1k h",
      numeric: true,
      cell: (reason) => `${reason.excessPer1000DeviceHours >= 0 ? "+" : "−"}${Math.abs(reason.excessPer1000DeviceHours).toFixed(1)}`,
    },
    { header: "Ratio", numeric: true, cell: (reason) => <RatioText ratio={reason.ratio} /> },
  ];
}

const MOVED_DEVICE_COLUMNS: DataTableColumn<MovedDevice>[] = [
  { header: "Device", cell: (device) => <DeviceLink deviceId={device.deviceId} /> },
  { header: "Moved", className: "nowrap", cell: (device) => formatTimestamp(device.movedAt) },
  { header: "From", cell: (device) => device.fromFirmware },
  { header: "Drops before", numeric: true, cell: (device) => formatCount(device.dropsBefore) },
  { header: "Drops after", numeric: true, cell: (device) => formatCount(device.dropsAfter) },
  {
    header: "Hours before / after",
    numeric: true,
    cell: (device) => `${device.beforeHours.toFixed(1)} / ${device.afterHours.toFixed(1)}`,
  },
];

function Verdict({ verdict }: { verdict: RateVerdict }) {
  return <span className={`cohort-verdict cohort-verdict-${verdict}`}>{VERDICT_TEXT[verdict]}</span>;
}

/**
 * "Did the rollout make it worse?": drops and refusals per device-hour by firmware, region, network or label,
 * each cohort against the rest with an exact interval, and each device's own before / after a firmware move.
 */
export function FleetCohorts({ state }: { state: FleetViewState }) {
  const [mode, setMode] = useState<"cohorts" | "rollout">("cohorts");
  return (
    <section className="panel cohorts" aria-labelledby="cohorts-heading">
      <div className="panel-header">
        <h2 id="cohorts-heading">Cohorts</h2>
        <div className="cohort-modes" role="group" aria-label="Cohort view">
          <button type="button" aria-pressed={mode === "cohorts"} onClick={() => setMode("cohorts")}>
            Compare cohorts
          </button>
          <button type="button" aria-pressed={mode === "rollout"} onClick={() => setMode("rollout")}>
            Firmware rollout
          </button>
        </div>
      </div>
      {mode === "cohorts" ? <CohortComparison state={state} /> : <RolloutView state={state} />}
    </section>
  );
}

function CohortComparison({ state }: { state: FleetViewState }) {
  const [by, setBy] = useState("firmware");
  const [selected, setSelected] = useState<string | null>(null);
  const [against, setAgainst] = useState<string | null>(null);
  const options = useQuery(fleetQueries.filterOptions());
  const labelKeys = [...new Set((options.data?.labels ?? []).map((pair) => pair.slice(0, pair.indexOf("="))))].sort();
  const list = useQuery(fleetQueries.cohorts(state, by));
  const choose = (next: string) => {
    setBy(next);
    setSelected(null);
    setAgainst(null);
  };

  return (
    <>
      <div className="cohort-controls">
        <label>
          Group by{" "}
          <select value={by} onChange={(event) => choose(event.target.value)}>
            <option value="firmware">Firmware</option>
            <option value="region">Region</option>
            <option value="network">Network</option>
            {labelKeys.map((key) => (
              <option key={key} value={`label:${key}`}>
                Label {key}
              </option>
            ))}
          </select>
        </label>
        <p className="muted">
          per 1,000 device-hours (hours in which a device was seen, from hourly rollups); source, broker node and metadata filters apply;
          each cohort against the rest
          {list.data ? `, ${levelText(list.data.level)} intervals (95 % for all ${list.data.cohorts.length} together)` : ""}
        </p>
      </div>
      <QueryBody query={list} isEmpty={(loaded) => loaded.cohorts.length === 0} emptyText="No device was seen in this range.">
        {(data) => (
          <>
            <RatioChart cohorts={data.cohorts} />
            <CohortTable
              data={data}
              selected={selected}
              onSelect={(value) => {
                setSelected(value);
                setAgainst(null);
              }}
            />
            {selected !== null ? (
              <PairDetail
                state={state}
                by={by}
                a={selected}
                b={against}
                values={data.cohorts.map((cohort) => cohort.value)}
                onAgainst={setAgainst}
              />
            ) : (
              <p className="muted">Select a cohort to see the reasons that differ most.</p>
            )}
          </>
        )}
      </QueryBody>
    </>
  );
}

function RatioChart({ cohorts }: { cohorts: CohortListResponse["cohorts"] }) {
  const rows = cohorts.slice(0, 12).map((cohort) => ({
    name: cohortName(cohort.value),
    interval: [cohort.dropRatio.low, Math.min(cohort.dropRatio.high ?? CHART_MAX_RATIO, CHART_MAX_RATIO)] as [number, number],
    verdict: cohort.verdict,
  }));
  return (
    <div
      className="cohort-chart"
      style={{ height: Math.max(80, rows.length * 28 + 36) }}
      role="img"
      aria-label="Drop rate ratio of each cohort against the rest, with its interval"
    >
      <BarChart
        responsive
        style={{ width: "100%", height: "100%" }}
        data={rows}
        layout="vertical"
        margin={{ top: 4, right: 12, bottom: 4, left: 4 }}
      >
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" domain={[0, CHART_MAX_RATIO]} tick={{ fontSize: 11 }} tickFormatter={(value: number) => `${value}×`} />
        <YAxis type="category" dataKey="name" width={110} tick={{ fontSize: 11 }} />
        <Tooltip
          formatter={(value) => (Array.isArray(value) ? `${Number(value[0]).toFixed(2)}–${Number(value[1]).toFixed(2)}×` : String(value))}
        />
        <ReferenceLine x={1} stroke="#5a6270" />
        <Bar dataKey="interval" name="drop rate ratio interval" fill="#7a8aa0" barSize={10} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}

function CohortTable({
  data,
  selected,
  onSelect,
}: {
  data: CohortListResponse;
  selected: string | null;
  onSelect: (value: string) => void;
}) {
  const columns: DataTableColumn<Cohort>[] = [
    {
      header: "Cohort",
      rowHeader: true,
      cell: (cohort) => (
        <button type="button" className="link-button" aria-pressed={selected === cohort.value} onClick={() => onSelect(cohort.value)}>
          {cohortName(cohort.value)}
        </button>
      ),
    },
    ...COHORT_RATE_COLUMNS,
  ];
  return (
    <DataTable
      label="Cohorts"
      className="cohort-table"
      columns={columns}
      rows={data.cohorts}
      rowKey={(cohort) => cohort.value}
      rowClassName={(cohort) => (selected === cohort.value ? "cohort-selected" : undefined)}
      emptyText={null}
      footer={data.truncated ? <p className="muted">Only the largest cohorts are listed; the others count in “the rest”.</p> : null}
    />
  );
}

function PairDetail(props: {
  state: FleetViewState;
  by: string;
  a: string;
  b: string | null;
  values: string[];
  onAgainst: (value: string | null) => void;
}) {
  const pair = useQuery(fleetQueries.cohortPair(props.state, props.by, props.a, props.b));
  return (
    <div className="cohort-pair" aria-label={`${cohortName(props.a)} against ${cohortName(props.b)}`} role="region">
      <div className="cohort-controls">
        <h3>
          {cohortName(props.a)} against{" "}
          <select
            aria-label="Compare against"
            value={props.b ?? ""}
            onChange={(event) => props.onAgainst(event.target.value === "" ? null : event.target.value.slice(1))}
          >
            <option value="">the rest</option>
            {props.values
              .filter((value) => value !== props.a)
              .map((value) => (
                <option key={value} value={`=${value}`}>
                  {cohortName(value)}
                </option>
              ))}
          </select>
        </h3>
      </div>
      <QueryBody query={pair}>
        {(data) => (
          <>
            <p>
              <Verdict verdict={data.verdict} /> drops {formatRatio(data.dropRatio.ratio)}× ({levelText(data.level)} interval{" "}
              {formatInterval(data.dropRatio)}): {perThousand(data.a.dropsPerDeviceHour)} against {perThousand(data.b.dropsPerDeviceHour)}{" "}
              per 1,000 device-hours; refusals <RatioText ratio={data.refusalRatio} />; connected {formatPercent(data.a.connectedShare)}{" "}
              against {formatPercent(data.b.connectedShare)}.
            </p>
            <DataTable
              label="Reasons that differ most"
              className="cohort-table"
              columns={reasonColumns(props.a, props.b)}
              rows={data.reasons}
              rowKey={(reason) => `${reason.kind}:${reason.reason}`}
              emptyText="No drops or refusals in either cohort."
            />
          </>
        )}
      </QueryBody>
    </div>
  );
}

function RolloutView({ state }: { state: FleetViewState }) {
  const [firmware, setFirmware] = useState<string | null>(null);
  const [hours, setHours] = useState<number>(24);
  const query = useQuery(fleetQueries.firmwareRollout(state, firmware, hours));
  const data = query.data;
  const rollout = data?.rollout ?? null;
  return (
    <>
      <div className="cohort-controls">
        <label>
          Version{" "}
          <select
            value={rollout?.firmware ?? ""}
            onChange={(event) => setFirmware(event.target.value)}
            disabled={!data || data.versions.length === 0}
          >
            {(data?.versions ?? []).map((version) => (
              <option key={version.firmware} value={version.firmware}>
                {version.firmware} ({formatCount(version.devices)} devices)
              </option>
            ))}
          </select>
        </label>
        <label>
          Compare{" "}
          <select value={hours} onChange={(event) => setHours(Number(event.target.value))}>
            {ROLLOUT_SPANS.map((span) => (
              <option key={span} value={span}>
                {span} h before and after
              </option>
            ))}
          </select>
        </label>
        <p className="muted">
          each device against itself, before and after its own move; source, broker node (devices there now, their drops there), region,
          network and label filters apply
        </p>
      </div>
      <QueryBody
        query={query}
        isEmpty={(loaded) => loaded.rollout === null}
        emptyText="No device has moved from one firmware version to another yet."
      >
        {() =>
          rollout && (
            <>
              <p>
                <Verdict verdict={rollout.verdict} /> after the move to <strong>{rollout.firmware}</strong>: drops{" "}
                {formatRatio(rollout.dropRatio.ratio)}× ({levelText(rollout.level)} interval {formatInterval(rollout.dropRatio)}),{" "}
                {perThousand(rollout.after.dropsPerDeviceHour)} against {perThousand(rollout.before.dropsPerDeviceHour)} per 1,000
                device-hours; refusals <RatioText ratio={rollout.refusalRatio} />; connected {formatPercent(rollout.after.connectedShare)}{" "}
                against {formatPercent(rollout.before.connectedShare)}. {formatCount(rollout.devicesWorse)} of{" "}
                {formatCount(rollout.devices)} devices drop more often than before.
              </p>
              {rollout.topDevices.length > 0 ? (
                <DataTable
                  label="Devices after the move"
                  className="cohort-table"
                  columns={MOVED_DEVICE_COLUMNS}
                  rows={rollout.topDevices}
                  rowKey={(device) => device.deviceId}
                  emptyText={null}
                />
              ) : null}
            </>
          )
        }
      </QueryBody>
    </>
  );
}
