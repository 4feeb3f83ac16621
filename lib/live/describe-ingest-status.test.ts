import { describe, expect, it } from "vitest";
import { describeIngestStatus, type IngestSignal } from "./describe-ingest-status.ts";

const now = Date.parse("2026-11-22T14:30:00Z");
const healthy: IngestSignal = { reachable: true, db: true, workerConnected: true, lagMs: 120, heartbeatAgeMs: 2000, staleAfterMs: 15_000 };

describe("describeIngestStatus", () => {
  it("is quiet while the lag is small", () => {
    expect(describeIngestStatus(healthy, now)).toEqual({ tone: "good", text: "Ingest live · lag 120 ms" });
    expect(describeIngestStatus({ ...healthy, lagMs: 5000 }, now).tone).toBe("good");
  });

  it("warns with the lag once it passes 5 s", () => {
    expect(describeIngestStatus({ ...healthy, lagMs: 12_400 }, now)).toEqual({ tone: "warn", text: "Ingest lag 12 s" });
    expect(describeIngestStatus({ ...healthy, lagMs: 600_000 }, now).text).toBe("Ingest lag 10 min");
  });

  it("says since when the worker is offline when its heartbeat is stale, whatever lag it last reported", () => {
    expect(describeIngestStatus({ ...healthy, workerConnected: false, lagMs: 10, heartbeatAgeMs: 28 * 60_000 }, now)).toEqual({
      tone: "bad",
      text: "Ingest worker offline since 14:02 UTC",
    });
    expect(describeIngestStatus({ ...healthy, heartbeatAgeMs: 2 * 86_400_000 }, now).text).toBe(
      "Ingest worker offline since 2026-11-20 14:30 UTC",
    );
  });

  it("names a source whose writes keep failing, before lag or broker state", () => {
    const failingSources = [
      { source: "emqx", failingSinceMs: Date.parse("2026-11-22T14:21:00Z") },
      { source: "aws-iot", failingSinceMs: now },
    ];
    expect(describeIngestStatus({ ...healthy, failingSources }, now)).toEqual({
      tone: "bad",
      text: "Ingest failing: emqx and 1 more since 14:21 UTC",
    });
    expect(describeIngestStatus({ ...healthy, failingSources: [] }, now).tone).toBe("good");
  });

  it("orders the conditions: unreachable, database, no worker, broker", () => {
    expect(describeIngestStatus(null, now).tone).toBe("unknown");
    expect(describeIngestStatus({ ...healthy, reachable: false }, now).text).toBe("Server unreachable");
    expect(describeIngestStatus({ ...healthy, db: false }, now).text).toBe("Database unreachable");
    expect(describeIngestStatus({ ...healthy, heartbeatAgeMs: null, workerConnected: false }, now).text).toBe(
      "Ingest worker not connected",
    );
    expect(describeIngestStatus({ ...healthy, workerConnected: false }, now).text).toBe("Ingest worker not connected to the broker");
  });
});
