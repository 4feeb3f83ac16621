import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { claimImportRun, IMPORT_HEARTBEAT_STALE_MS } from "./import-run-state.ts";

const testDb = useTestDatabase();

describe("claimImportRun", () => {
  it("claims an interrupted run in one statement and returns the row it claimed", async () => {
    const sha256 = randomUUID().replaceAll("-", "");
    const lost = await testDb.db.importRun.create({
      data: {
        fileSha256: sha256,
        format: "mosquitto",
        fileName: "lost.log",
        bytes: 100n,
        status: "running",
        recordsDone: 20n,
        heartbeatAt: new Date(Date.now() - IMPORT_HEARTBEAT_STALE_MS - 1000),
      },
    });
    // Every statement the claim sends: a second one (a read after the update) could see another process's write.
    const operations: string[] = [];
    const recorded = testDb.db.$extends({
      query: {
        importRun: {
          $allOperations({ operation, args, query }) {
            operations.push(operation);
            return query(args);
          },
        },
      },
    }) as unknown as Db;

    const claimed = await claimImportRun(recorded, { sha256, format: "mosquitto", fileName: "lost.log", bytes: 100 }, { id: lost.id });

    expect(operations).toEqual(["updateManyAndReturn"]);
    expect(claimed).toMatchObject({ id: lost.id, status: "running", recordsDone: 20n, error: null });
    expect(claimed.heartbeatAt?.getTime()).toBeGreaterThan(Date.now() - IMPORT_HEARTBEAT_STALE_MS);
  });
});
