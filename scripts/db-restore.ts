import path from "node:path";
import { restoreEmbeddedDatabase } from "@/demo/db/embedded-backup.ts";

// npm run db:restore -- <file> [<data dir>]: restores a `npm run db:backup` archive into an empty data directory
// (default: the `pglite` directory under LINKSCOPE_DATA_DIR, which must not exist yet). Stop `npm start` first.
const file = process.argv[2];
if (!file) {
  console.error("Usage: npm run db:restore -- <backup file> [<empty data directory>]");
  process.exit(1);
}
const dataDir = path.resolve(
  process.argv[3] ?? path.join(process.env.LINKSCOPE_DATA_DIR ?? path.resolve(import.meta.dirname, "../.data"), "pglite"),
);
try {
  await restoreEmbeddedDatabase({ file: path.resolve(file), dataDir });
  console.log(`Restored ${file} into ${dataDir}.`);
} catch (error) {
  console.error(`Restore failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
