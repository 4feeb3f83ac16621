import { Prisma } from "@/lib/db/client.ts";

/** A session's duration in whole milliseconds, never negative (a clock step can put an end before its start). */
export const DURATION_MS = (end: string, start: string) =>
  Prisma.raw(`GREATEST(0, (EXTRACT(EPOCH FROM (${end} - ${start})) * 1000)::bigint)`);
