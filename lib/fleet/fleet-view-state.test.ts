import { describe, expect, it } from "vitest";
import { parseFleetViewState, resolveViewRange, toApiQuery, toSearchParams } from "./fleet-view-state.ts";

describe("fleet view state in the URL", () => {
  it("defaults to the last 24 hours, unfiltered", () => {
    expect(parseFleetViewState(new URLSearchParams())).toEqual({ range: { preset: "24h" }, rangeProblem: null, filters: {}, drill: null });
    expect(toSearchParams(parseFleetViewState(new URLSearchParams())).toString()).toBe("");
  });

  it("round-trips presets, custom ranges, filters and the drill-down", () => {
    const text =
      "from=2026-11-01T00%3A00%3A00.000Z&to=2026-11-02T00%3A00%3A00.000Z&source=emqx&node=emqx%40n1&label=model%3DM1&drill=code%3Aemqx%3Atcp_closed";
    const state = parseFleetViewState(new URLSearchParams(text));
    expect(state).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z" },
      rangeProblem: null,
      filters: { source: "emqx", node: "emqx@n1", label: "model=M1" },
      drill: { by: "code", key: "emqx:tcp_closed" },
    });
    expect(toSearchParams(state).toString()).toBe(text);
    expect(toSearchParams(parseFleetViewState(new URLSearchParams("range=7d"))).toString()).toBe("range=7d");
  });

  it("ignores malformed drill-downs", () => {
    expect(parseFleetViewState(new URLSearchParams("range=7d&drill=colour:red"))).toEqual({
      range: { preset: "7d" },
      rangeProblem: null,
      filters: {},
      drill: null,
    });
  });

  it("explains a range it cannot use instead of silently showing the last 24 hours", () => {
    const problem = (query: string) => parseFleetViewState(new URLSearchParams(query)).rangeProblem;
    expect(problem("from=garbage&to=2026-11-02T00:00:00Z")).toMatch(/Could not read the start "garbage"/);
    expect(problem("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z")).toMatch(/ends before it starts/);
    expect(problem("from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z")).toMatch(/longer than 90 days/);
    expect(problem("from=2026-11-01T00:00:00Z")).toMatch(/needs both/);
    expect(problem("range=2y")).toMatch(/"2y" is not a range/);
    expect(problem("from=2026-02-30&to=2026-03-02")).toMatch(/Could not read the start/);
  });

  it("reads a date without a time or zone as midnight in the viewer's time zone", () => {
    const state = parseFleetViewState(new URLSearchParams("from=2026-11-20&to=2026-11-21T06:30"));
    expect(state.rangeProblem).toBeNull();
    expect(state.range).toEqual({ from: new Date(2026, 10, 20).toISOString(), to: new Date(2026, 10, 21, 6, 30).toISOString() });
  });

  it("resolves a preset against now and builds the API query", () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    expect(resolveViewRange({ preset: "1h" }, now)).toEqual({ from: "2026-11-22T11:00:00.000Z", to: "2026-11-22T12:00:00.000Z" });
    const state = parseFleetViewState(new URLSearchParams("range=6h&firmware=fw%201"));
    expect(toApiQuery(state, now, { by: "code" })).toBe(
      "from=2026-11-22T06%3A00%3A00.000Z&to=2026-11-22T12%3A00%3A00.000Z&firmware=fw+1&by=code",
    );
  });
});
