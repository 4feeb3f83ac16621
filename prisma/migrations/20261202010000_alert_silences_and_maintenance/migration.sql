-- Issue 17: silences, maintenance windows, acknowledgement, re-notify and exclusions of known-bad devices.
ALTER TABLE "alert_rules" ADD COLUMN "renotify_ms" INTEGER;
ALTER TABLE "alert_rules" ADD COLUMN "exclude_device_ids" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "alert_rules" ADD COLUMN "exclude_labels" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "alert_rules" ADD COLUMN "exclude_flapping" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "alert_states" ADD COLUMN "notified_at" TIMESTAMPTZ(3);
ALTER TABLE "alert_states" ADD COLUMN "acknowledged_at" TIMESTAMPTZ(3);
ALTER TABLE "alert_states" ADD COLUMN "acknowledged_by" TEXT;
ALTER TABLE "alert_states" ADD COLUMN "suppressed_by" TEXT;
-- Alerts firing before this migration were notified when they fired.
UPDATE "alert_states" SET "notified_at" = "fired_at" WHERE "status" = 'firing';

-- CreateEnum
CREATE TYPE "AlertSilenceTarget" AS ENUM ('rule', 'scope', 'devices', 'label');

-- CreateEnum
CREATE TYPE "MaintenanceRecurrence" AS ENUM ('once', 'daily', 'weekly');

-- CreateTable
CREATE TABLE "alert_silences" (
    "id" TEXT NOT NULL,
    "target" "AlertSilenceTarget" NOT NULL,
    "rule_id" TEXT,
    "source" TEXT,
    "broker_node" TEXT,
    "device_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "label_key" TEXT,
    "label_value" TEXT,
    "reason" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_by" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_silences_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "maintenance_windows" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "recurrence" "MaintenanceRecurrence" NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "until" TIMESTAMPTZ(3),
    "source" TEXT,
    "broker_node" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "maintenance_windows_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alert_silences_ends_at_idx" ON "alert_silences"("ends_at");

-- AddForeignKey
ALTER TABLE "alert_silences" ADD CONSTRAINT "alert_silences_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
