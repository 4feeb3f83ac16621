import { applyMigrations } from "@/lib/db/migrate.ts";

// `npm run db:migrate`: applies pending prisma/migrations to DATABASE_URL (what `prisma migrate deploy` does,
// without the schema-engine binary Prisma cannot download here).
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("db:migrate: DATABASE_URL is not set. Set it to a Postgres URL, e.g. postgresql://postgres@127.0.0.1:5432/linkscope");
  process.exit(1);
}

try {
  const { applied } = await applyMigrations(databaseUrl, { log: (msg) => console.log(`db:migrate: ${msg}`) });
  console.log(`db:migrate: done, ${applied.length} migration(s) applied`);
} catch (error) {
  console.error(`db:migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
