import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client.ts";
import { startJobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, toQueueName } from "@/lib/jobs/periodic-job.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { useMigratedEmbeddedDatabase } from "./migrated-embedded-database.ts";

// `npm start` runs two worker processes on the embedded database (PGlite behind its socket, where LISTEN/NOTIFY does not
// cross connections): both start pg-boss at once, which creates its schema, and they share the periodic jobs.
const embedded = useMigratedEmbeddedDatabase("jobs");
const log = createLogger("embedded-jobs-test");

type JobRow = { dueAt: Date; state: string; runner: string | null };

describe("the job queue on the embedded database", () => {
  it("two processes' queues create the schema side by side and run each due time of a job once", async () => {
    const name = `embedded tick ${randomUUID().slice(0, 8)}`;
    const secondProcess = createDb(embedded.url, 2);
    try {
      const queues = await Promise.all([startJobQueue(embedded.db, log), startJobQueue(secondProcess, log)]);
      const runs: number[] = [];
      const jobs = await Promise.all(
        queues.map((queue, index) =>
          startPeriodicJob(queue, log, name, { intervalMs: 1_000, expireAfterMs: 60_000 }, async () => {
            runs.push(index);
          }),
        ),
      );
      await waitFor(
        () => runs.length,
        (count) => count >= 3,
      );
      await Promise.all(jobs.map((job) => job.stop()));
      await Promise.all(queues.map((queue) => queue.stop()));

      const rows = await embedded.db.$queryRaw<JobRow[]>`
        SELECT singleton_on AS "dueAt", state::text AS state, output->>'runner' AS runner
        FROM pgboss.job WHERE name = ${toQueueName(name)}`;
      const completed = rows.filter((row) => row.state === "completed");
      expect(completed).toHaveLength(runs.length);
      expect(new Set(completed.map((row) => row.dueAt.getTime())).size).toBe(runs.length);
      expect(completed.every((row) => row.runner === queues[0]?.runner)).toBe(true);
    } finally {
      await secondProcess.$disconnect();
    }
  }, 180_000);
});
