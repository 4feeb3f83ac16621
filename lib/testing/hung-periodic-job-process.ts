import { createDb } from "@/lib/db/client.ts";
import { startJobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
import { createLogger } from "@/lib/log/logger.ts";

// A worker process whose periodic job hangs in its first run, for tests that kill it mid-run:
//   node --import tsx lib/testing/hung-periodic-job-process.ts <job name> <interval ms> <expiry ms>   (DATABASE_URL set)
// Prints {"started": "<job name>"} when the run begins, then holds it until the process is killed.
const [name, intervalMs, expireAfterMs] = process.argv.slice(2);
if (!name || !Number(intervalMs) || !Number(expireAfterMs) || !process.env.DATABASE_URL) {
  console.error("usage: hung-periodic-job-process.ts <job name> <interval ms> <expiry ms> (DATABASE_URL set)");
  process.exit(2);
}
const log = createLogger("hung-job");
const jobs = await startJobQueue(createDb(process.env.DATABASE_URL, 2), log);
await startPeriodicJob(jobs, log, name, { intervalMs: Number(intervalMs), expireAfterMs: Number(expireAfterMs) }, async () => {
  console.log(JSON.stringify({ started: name }));
  await new Promise<never>(() => setInterval(() => {}, 60_000));
});
