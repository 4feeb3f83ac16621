-- CreateTable
CREATE TABLE "ingest_tokens" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "label" TEXT,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "ingest_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_runs" (
    "id" BIGSERIAL NOT NULL,
    "file_sha256" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "records_done" BIGINT NOT NULL DEFAULT 0,
    "events_inserted" BIGINT NOT NULL DEFAULT 0,
    "duplicates" BIGINT NOT NULL DEFAULT 0,
    "dead_letters" BIGINT NOT NULL DEFAULT 0,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "import_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_source_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "received" INTEGER NOT NULL DEFAULT 0,
    "inserted" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "dead_letters" INTEGER NOT NULL DEFAULT 0,
    "out_of_order" INTEGER NOT NULL DEFAULT 0,
    "lag_samples" INTEGER NOT NULL DEFAULT 0,
    "lag_ms_sum" BIGINT NOT NULL DEFAULT 0,
    "lag_ms_max" BIGINT NOT NULL DEFAULT 0,
    "last_occurred_at" TIMESTAMPTZ(3),

    CONSTRAINT "ingest_source_minute_pkey" PRIMARY KEY ("bucket","source")
);

-- CreateTable
CREATE TABLE "dead_letter_resolutions" (
    "dead_letter_id" BIGINT NOT NULL,
    "resolved_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "events" INTEGER NOT NULL,

    CONSTRAINT "dead_letter_resolutions_pkey" PRIMARY KEY ("dead_letter_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ingest_tokens_token_hash_key" ON "ingest_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "ingest_tokens_source_idx" ON "ingest_tokens"("source");

-- CreateIndex
CREATE UNIQUE INDEX "import_runs_file_sha256_format_key" ON "import_runs"("file_sha256", "format");

-- CreateIndex
CREATE INDEX "ingest_source_minute_source_bucket_idx" ON "ingest_source_minute"("source", "bucket" DESC);
