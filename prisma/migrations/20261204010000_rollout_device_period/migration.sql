-- Rollouts at fleet scale (issue 17, decision 032): each device's before / after around its latest move to a version,
-- per span the rollout view offers, folded with the cohort-hour rollups by lib/cohorts/fold-rollout-periods.ts.
CREATE TABLE "rollout_device_period" (
    "to_firmware" TEXT NOT NULL,
    "span_hours" INTEGER NOT NULL,
    "device_id" TEXT NOT NULL,
    "moved_at" TIMESTAMPTZ(3) NOT NULL,
    "from_firmware" TEXT NOT NULL,
    "before_hours" DOUBLE PRECISION NOT NULL,
    "after_hours" DOUBLE PRECISION NOT NULL,
    "drops_before" DOUBLE PRECISION NOT NULL,
    "drops_after" DOUBLE PRECISION NOT NULL,
    "refusals_before" DOUBLE PRECISION NOT NULL,
    "refusals_after" DOUBLE PRECISION NOT NULL,
    "connected_before_hours" DOUBLE PRECISION NOT NULL,
    "connected_after_hours" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "rollout_device_period_pkey" PRIMARY KEY ("to_firmware", "span_hours", "device_id")
);

CREATE INDEX "rollout_device_period_device_id_idx" ON "rollout_device_period"("device_id");

ALTER TABLE "rollout_device_period" ADD CONSTRAINT "rollout_device_period_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
