import { afterEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { IMPORT_HEARTBEAT_INTERVAL_MS, keepImportAlive } from "./import-run-state.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("keepImportAlive", () => {
  it("stores the count of failed writes with the next heartbeat that succeeds, so every page can show it", async () => {
    vi.useFakeTimers();
    const written: Record<string, unknown>[] = [];
    const db = {
      importRun: {
        updateMany: ({ data }: { data: Record<string, unknown> }) => {
          written.push(data);
          return written.length === 1 ? Promise.reject(new Error("connection terminated")) : Promise.resolve({ count: 1 });
        },
      },
    } as unknown as Db;
    const heartbeat = keepImportAlive(db, 7n, { log: createLogger("test", { write: () => undefined }) });
    await vi.advanceTimersByTimeAsync(IMPORT_HEARTBEAT_INTERVAL_MS * 2);
    heartbeat.stop();

    expect(written[0]).toMatchObject({ progressWriteFailures: 0 });
    expect(written[1]).toMatchObject({ progressWriteFailures: 1 });
  });

  it("logs and counts a heartbeat write that fails, and keeps beating", async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = createLogger("test", { write: (line: string) => lines.push(line) });
    let writes = 0;
    const db = {
      importRun: {
        updateMany: () => {
          writes += 1;
          return writes === 1 ? Promise.reject(new Error("connection terminated")) : Promise.resolve({ count: 1 });
        },
      },
    } as unknown as Db;
    const heartbeat = keepImportAlive(db, 42n, { log });
    await vi.advanceTimersByTimeAsync(IMPORT_HEARTBEAT_INTERVAL_MS * 2);
    heartbeat.stop();

    expect(writes).toBe(2);
    expect(heartbeat.failures).toBe(1);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ msg: "import heartbeat failed", runId: "42", err: "connection terminated" });
  });
});
