import type { Db } from "@/lib/db/client.ts";
export async function measureScaleReads(_db: Db, _input: { end: Date; label: string }): Promise<void> {}
