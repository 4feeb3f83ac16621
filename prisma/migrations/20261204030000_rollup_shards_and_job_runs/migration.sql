-- Fleet-wide minute rows every writer adds to (decision 034): a shard column in the key, so concurrent writer
-- transactions add to different rows of the same minute instead of waiting on one row lock; readers sum over shards.
ALTER TABLE "event_rollup_minute" ADD COLUMN "shard" SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE "event_rollup_minute" DROP CONSTRAINT "event_rollup_minute_pkey";
ALTER TABLE "event_rollup_minute" ADD CONSTRAINT "event_rollup_minute_pkey" PRIMARY KEY ("bucket","kind","reason","code","shard");

ALTER TABLE "fleet_connected_minute" ADD COLUMN "shard" SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE "fleet_connected_minute" DROP CONSTRAINT "fleet_connected_minute_pkey";
ALTER TABLE "fleet_connected_minute" ADD CONSTRAINT "fleet_connected_minute_pkey" PRIMARY KEY ("bucket","source","broker_node","shard");

ALTER TABLE "ingest_source_minute" ADD COLUMN "shard" SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE "ingest_source_minute" DROP CONSTRAINT "ingest_source_minute_pkey";
ALTER TABLE "ingest_source_minute" ADD CONSTRAINT "ingest_source_minute_pkey" PRIMARY KEY ("bucket","source","shard");

-- One row per periodic job and due time: the process whose insert wins runs it; the others skip that due time.
CREATE TABLE "periodic_job_runs" (
    "job" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "runner" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "periodic_job_runs_pkey" PRIMARY KEY ("job","due_at")
);
