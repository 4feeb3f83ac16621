-- CreateTable
CREATE TABLE "device_drop_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "device_id" TEXT NOT NULL,
    "drops" INTEGER NOT NULL,

    CONSTRAINT "device_drop_minute_pkey" PRIMARY KEY ("bucket","device_id")
);

-- Backfill from the events already stored (same definition of a drop as the writer's).
INSERT INTO "device_drop_minute" ("bucket", "device_id", "drops")
SELECT date_trunc('minute', "occurred_at"), "device_id", COUNT(*)::int
FROM "connection_events"
WHERE "kind" = 'disconnected' AND "reason" <> 'client_disconnect'
GROUP BY 1, 2;
