import type { Db } from "@/lib/db/client.ts";

export type DatabasePing = { ok: true; latencyMs: number } | { ok: false; error: string };

export const DEFAULT_PING_TIMEOUT_MS = 2000;

/** `SELECT 1` with a deadline: node-postgres waits forever for a connection by default. */
export async function pingDatabase(db: Db, timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<DatabasePing> {
  const startedAt = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([db.$queryRaw`SELECT 1`, deadline]);
    return { ok: true, latencyMs: Math.round(performance.now() - startedAt) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
