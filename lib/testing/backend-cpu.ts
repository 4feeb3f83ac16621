import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { readProcessCpuMs } from "./process-status.ts";

/**
 * CPU time (user + system, ms) of each server process of `db`'s database, from /proc (Postgres on this machine): what
 * a write path costs the server whatever the machine's load, unlike wall time on a shared machine.
 */
export async function readBackendCpuMs(db: Db): Promise<Map<number, number>> {
  const rows = await queryRows(
    db,
    "backendPids",
    z.object({ pid: z.number().int() }),
    Prisma.sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = readProcessCpuMs(pid);
    // 0: the process ended between the query and the read.
    if (ms > 0) cpu.set(pid, ms);
  }
  return cpu;
}

/** Node CPU of this process and CPU of the database's server processes spent while `run` ran, in µs per event. */
export async function measureCpuPerEvent(
  db: Db,
  events: number,
  run: () => Promise<void>,
): Promise<{ nodeUs: number; postgresUs: number }> {
  const backendsBefore = await readBackendCpuMs(db);
  const cpu = process.cpuUsage();
  await run();
  const { user, system } = process.cpuUsage(cpu);
  const backendsAfter = await readBackendCpuMs(db);
  let postgresMs = 0;
  for (const [pid, ms] of backendsAfter) postgresMs += ms - (backendsBefore.get(pid) ?? 0);
  return { nodeUs: Math.round((user + system) / events), postgresUs: Math.round((postgresMs * 1000) / events) };
}
