import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db/client.ts";

type HistoryWindow = { from: Date; to: Date };

export const DEFAULT_HISTORY_DAYS = 14;

/**
 * Days of the simulated fleet's history a first start loads. The history is that fleet's past: loaded beside a real
 * broker's devices it would put 58 invented devices (with IDs a real fleet may use, sensor-001 …) and an invented
 * incident into the user's own database. So by default only when the simulated fleet runs; a value set explicitly wins.
 */
export function historyDaysToLoad(options: { configuredDays: number | undefined; simulatorRuns: boolean }): number {
  return options.configuredDays ?? (options.simulatorRuns ? DEFAULT_HISTORY_DAYS : 0);
}

/**
 * The history window of a first start that has not finished, kept in the data folder beside the embedded database.
 * The history is generated from a fixed seed, so loading the same window again writes only what the interrupted start
 * did not (the writer's dedupe drops the rest); a new window would add a second, overlapping history.
 */
function pendingFile(dataDir: string): string {
  return path.join(dataDir, "history-pending.json");
}

async function readPendingWindow(dataDir: string, database: string): Promise<HistoryWindow | null> {
  try {
    const saved = JSON.parse(await readFile(pendingFile(dataDir), "utf8")) as { database?: string; from?: string; to?: string };
    if (saved.database !== database || !saved.from || !saved.to) return null;
    return { from: new Date(saved.from), to: new Date(saved.to) };
  } catch {
    return null;
  }
}

/** Which database a window belongs to, without its credentials. */
function identifyDatabase(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port}${url.pathname}`;
}

/**
 * Loads the demo history once per database: on an empty database, and again (same window) after a first start that
 * failed part-way (a crash, Ctrl+C, a timeout on a loaded machine), which would otherwise leave a partial history for good.
 */
export async function loadHistoryOnce(
  db: Db,
  options: { dataDir: string; databaseUrl: string; days: number; now?: Date },
  load: (window: HistoryWindow, resumed: boolean) => Promise<void>,
): Promise<"loaded" | "resumed" | "present"> {
  const database = identifyDatabase(options.databaseUrl);
  const pending = await readPendingWindow(options.dataDir, database);
  if (!pending && (await db.connectionEvent.count({ take: 1 })) > 0) return "present";
  const to = options.now ?? new Date();
  const window = pending ?? { from: new Date(to.getTime() - options.days * 86_400_000), to };
  await mkdir(options.dataDir, { recursive: true });
  await writeFile(pendingFile(options.dataDir), JSON.stringify({ database, from: window.from, to: window.to }));
  await load(window, pending !== null);
  await rm(pendingFile(options.dataDir), { force: true });
  return pending ? "resumed" : "loaded";
}
