-- Cohorts by any filter combination from rollups, and an incremental rollout-period fold (issue 17, decision 039).
CREATE TABLE "cohort_profile_hour" (
    "id" BIGSERIAL NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "firmware" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL,
    "devices" INTEGER NOT NULL,
    "exposure_s" DOUBLE PRECISION NOT NULL,
    "connected_s" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "cohort_profile_hour_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "cohort_profile_reason_hour" (
    "id" BIGSERIAL NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "firmware" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL,
    "kind" "EventKind" NOT NULL,
    "reason" "Reason" NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "cohort_profile_reason_hour_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "cohort_profile_hour_bucket_idx" ON "cohort_profile_hour"("bucket");
CREATE INDEX "cohort_profile_reason_hour_bucket_idx" ON "cohort_profile_reason_hour"("bucket");

-- Folded periods gain what a read at a later `now` needs; the old rows lack it, so they go and are folded again.
DELETE FROM "rollout_device_period";
ALTER TABLE "rollout_device_period" ADD COLUMN "after_cap" TIMESTAMPTZ(3) NOT NULL,
ADD COLUMN "open_sessions" INTEGER NOT NULL,
ADD COLUMN "as_of" TIMESTAMPTZ(3) NOT NULL;

ALTER TABLE "cohort_fold_state" ADD COLUMN "rollout_last_event_id" BIGINT,
ADD COLUMN "rollout_last_move_id" BIGINT,
ADD COLUMN "rollout_folded_now" TIMESTAMPTZ(3);

-- The profile rollups are empty for the hours already folded: the next fold starts again from the first hour.
DELETE FROM "cohort_fold_state";
