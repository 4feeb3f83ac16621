-- CreateEnum
CREATE TYPE "IncidentStatus" AS ENUM ('open', 'closed');

-- CreateEnum
CREATE TYPE "IncidentTrigger" AS ENUM ('mass_drop', 'manual');

-- CreateTable
CREATE TABLE "incidents" (
    "id" TEXT NOT NULL,
    "trigger" "IncidentTrigger" NOT NULL,
    "status" "IncidentStatus" NOT NULL,
    "title" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "last_drop_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "source" TEXT,
    "broker_node" TEXT,
    "affected_devices" INTEGER NOT NULL,
    "dominant_reason" "Reason",
    "reason_counts" JSONB NOT NULL DEFAULT '{}',
    "code_counts" JSONB NOT NULL DEFAULT '{}',
    "detection_key" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incidents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident_devices" (
    "incident_id" TEXT NOT NULL,
    "device_id" TEXT NOT NULL,
    "first_drop_at" TIMESTAMPTZ(3) NOT NULL,
    "drops" INTEGER NOT NULL,
    "reason" "Reason" NOT NULL,

    CONSTRAINT "incident_devices_pkey" PRIMARY KEY ("incident_id","device_id")
);

-- CreateTable
CREATE TABLE "incident_notes" (
    "id" BIGSERIAL NOT NULL,
    "incident_id" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "author_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incident_notes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "incidents_detection_key_key" ON "incidents"("detection_key");

-- CreateIndex
CREATE INDEX "incidents_started_at_idx" ON "incidents"("started_at" DESC);

-- CreateIndex
CREATE INDEX "incidents_status_idx" ON "incidents"("status");

-- CreateIndex
CREATE INDEX "incident_devices_device_id_idx" ON "incident_devices"("device_id");

-- CreateIndex
CREATE INDEX "incident_notes_incident_id_created_at_idx" ON "incident_notes"("incident_id", "created_at");

-- AddForeignKey
ALTER TABLE "incident_devices" ADD CONSTRAINT "incident_devices_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_devices" ADD CONSTRAINT "incident_devices_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident_notes" ADD CONSTRAINT "incident_notes_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
