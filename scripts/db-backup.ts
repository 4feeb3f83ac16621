import path from "node:path";
import { backupEmbeddedDatabase } from "@/demo/db/embedded-backup.ts";

// npm run db:backup [-- <file>]: backs up the embedded database of `npm start` (stop it first). With DATABASE_URL
// (a real Postgres) use pg_dump or PITR instead: docs/operations.md.
const dataDir = path.join(process.env.LINKSCOPE_DATA_DIR ?? path.resolve(import.meta.dirname, "../.data"), "pglite");
const file = path.resolve(process.argv[2] ?? `linkscope-backup-${new Date().toISOString().replace(/[:.]/g, "-")}.tar.gz`);

if (process.env.DATABASE_URL) {
  console.error("DATABASE_URL is set: this backs up only the embedded database. For Postgres use pg_dump (docs/operations.md).");
  process.exit(1);
}
try {
  const { bytes } = await backupEmbeddedDatabase({ dataDir, file });
  console.log(`Backed up ${dataDir} to ${file} (${(bytes / 1024 / 1024).toFixed(1)} MiB).`);
} catch (error) {
  console.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
