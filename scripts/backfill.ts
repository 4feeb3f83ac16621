/**
 * `npm run db:seed`: loads the last N days (default 14) of simulated fleet history into DATABASE_URL, through the
 * same EMQX adapter and writer as live ingest. Skips a database that already has connection events unless
 * `--force`; the same seed and window give the same dedupe keys, so a repeated load inserts nothing.
 *
 *   npm run db:seed -- [--days 14] [--seed 20261122] [--to 2026-11-22T12:00:00Z] [--force]
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDb } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { backfillFleetHistory, DEFAULT_HISTORY_SEED } from "@/demo/simulator/history-backfill.ts";
import { createSeededRandom } from "@/demo/simulator/seeded-random.ts";

const ArgsSchema = z.object({
  days: z.coerce.number().positive().max(90).default(14),
  seed: z.coerce.number().int().nonnegative().default(DEFAULT_HISTORY_SEED),
  to: z.coerce.date({ error: "expected an ISO date such as 2026-11-22T12:00:00Z" }).optional(),
  force: z.boolean().default(false),
});

const log = createLogger("backfill");

const { values } = parseArgs({
  options: {
    days: { type: "string" },
    seed: { type: "string" },
    to: { type: "string" },
    force: { type: "boolean" },
  },
});
const parsedArgs = ArgsSchema.safeParse(values);
if (!parsedArgs.success) {
  console.error(`Invalid arguments: ${parsedArgs.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}`);
  process.exit(2);
}
const args = parsedArgs.data;
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    "DATABASE_URL is not set. Point it at a migrated Postgres (npm run db:migrate), e.g. postgresql://postgres@127.0.0.1:5432/linkscope",
  );
  process.exit(2);
}

// Whole minutes, so a re-run within the same minute (or with --to) reproduces the same window exactly.
const to = args.to ?? new Date(Math.floor(Date.now() / 60_000) * 60_000);
const from = new Date(to.getTime() - args.days * 86_400_000);

const db = createDb(databaseUrl, 2);
try {
  const existing = await db.connectionEvent.findFirst({ select: { id: true } });
  if (existing && !args.force) {
    console.log("The database already has connection events; skipping the history backfill (pass --force to add it anyway).");
  } else {
    console.log(`Backfilling ${args.days} days of fleet history (${from.toISOString()} → ${to.toISOString()}, seed ${args.seed})…`);
    const result = await backfillFleetHistory(db, { from, to, random: createSeededRandom(args.seed), log });
    console.log(
      `Done in ${(result.durationMs / 1_000).toFixed(1)} s: ${result.messages} messages, ${result.inserted} events inserted, ` +
        `${result.duplicates} duplicates, ${result.deadLetters} dead letters.`,
    );
  }
} catch (error) {
  log.error({ err: error }, "backfill failed");
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
