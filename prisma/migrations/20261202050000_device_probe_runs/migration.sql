-- Connectivity probe reports uploaded to a device (issue 16).
CREATE TABLE "device_probe_runs" (
    "id" TEXT NOT NULL,
    "device_id" TEXT NOT NULL,
    "target_url" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "report" JSONB NOT NULL,
    "uploaded_by" TEXT NOT NULL,
    "uploaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "device_probe_runs_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "device_probe_runs_device_id_uploaded_at_idx" ON "device_probe_runs"("device_id", "uploaded_at" DESC);

ALTER TABLE "device_probe_runs" ADD CONSTRAINT "device_probe_runs_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
