-- Device list search (decision 013): case-insensitive prefix and substring search on device IDs.
-- pg_trgm ships with Postgres 15 (contrib) and with PGlite (loaded in lib/db/embedded-postgres.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Prisma cannot declare expression indexes, so lower(id) is a stored generated column the indexes can name.
ALTER TABLE "devices" ADD COLUMN "id_lower" TEXT NOT NULL GENERATED ALWAYS AS (lower("id")) STORED;

-- Prefix: lower(id) LIKE 'abc%' as a btree range scan in any collation.
CREATE INDEX "devices_id_lower_prefix_idx" ON "devices" ("id_lower" text_pattern_ops);

-- Substring: lower(id) LIKE '%abc%' through trigrams (patterns of three or more characters).
CREATE INDEX "devices_id_lower_trgm_idx" ON "devices" USING GIN ("id_lower" gin_trgm_ops);
