-- Cohorts at fleet scale (issues 13, 17): hourly rollups per cohort key, folded from the writer's rollups and sessions
-- by lib/cohorts/fold-cohort-hours.ts, so a cohort query reads a few thousand rows instead of every device's minutes.
CREATE TABLE "cohort_hour" (
    "id" BIGSERIAL NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "dimension" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT '',
    "broker_node" TEXT NOT NULL DEFAULT '',
    "devices" INTEGER NOT NULL,
    "exposure_s" DOUBLE PRECISION NOT NULL,
    "connected_s" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "cohort_hour_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "cohort_reason_hour" (
    "id" BIGSERIAL NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "dimension" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT '',
    "broker_node" TEXT NOT NULL DEFAULT '',
    "kind" "EventKind" NOT NULL,
    "reason" "Reason" NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "cohort_reason_hour_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "cohort_fold_state" (
    "id" INTEGER NOT NULL,
    "last_event_id" BIGINT NOT NULL,
    "folded_through" TIMESTAMPTZ(3) NOT NULL,
    "folded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cohort_fold_state_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "cohort_hour_dimension_bucket_idx" ON "cohort_hour"("dimension", "bucket");
CREATE INDEX "cohort_reason_hour_dimension_bucket_idx" ON "cohort_reason_hour"("dimension", "bucket");
