-- Device-side samples (issue 16): signal, vitals and publish counts the device measured, bounded per device.
CREATE TABLE "device_samples" (
    "device_id" TEXT NOT NULL,
    "series" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "rssi_dbm" REAL,
    "link_quality_pct" REAL,
    "battery_pct" REAL,
    "free_memory_bytes" BIGINT,
    "uptime_sec" REAL,
    "published_messages" BIGINT,

    CONSTRAINT "device_samples_pkey" PRIMARY KEY ("device_id","series","at")
);

CREATE INDEX "device_samples_device_id_at_idx" ON "device_samples"("device_id", "at");
