import type { Db } from "@/lib/db/client.ts";

export async function listImportRuns(db: Db, limit: number) {
  return db.importRun.findMany({ orderBy: { id: "desc" }, take: limit });
}
