-- CreateTable
CREATE TABLE "fleet_connected_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL DEFAULT '',
    "delta" INTEGER NOT NULL,

    CONSTRAINT "fleet_connected_minute_pkey" PRIMARY KEY ("bucket","source","broker_node")
);

-- CreateTable
CREATE TABLE "fleet_connected_devices" (
    "device_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL DEFAULT '',
    "since" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "fleet_connected_devices_pkey" PRIMARY KEY ("device_id")
);

-- CreateTable
CREATE TABLE "device_reason_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "device_id" TEXT NOT NULL,
    "kind" "EventKind" NOT NULL,
    "reason" "Reason" NOT NULL,
    "code" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,

    CONSTRAINT "device_reason_minute_pkey" PRIMARY KEY ("bucket","device_id","kind","reason","code","source","broker_node")
);

-- CreateTable
CREATE TABLE "code_first_seen" (
    "code" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "first_device_id" TEXT NOT NULL,

    CONSTRAINT "code_first_seen_pkey" PRIMARY KEY ("code")
);

-- CreateIndex
CREATE INDEX "fleet_connected_devices_source_broker_node_idx" ON "fleet_connected_devices"("source", "broker_node");

-- CreateIndex
CREATE INDEX "device_reason_minute_device_id_bucket_idx" ON "device_reason_minute"("device_id", "bucket");

-- Backfill (lib/fleet/fleet-rollups-backfill.integration.test.ts re-runs everything below this line).
-- Per-device rollup and first-seen codes: the writer's definitions, over the events already stored.
INSERT INTO "device_reason_minute" ("bucket", "device_id", "kind", "reason", "code", "source", "broker_node", "count")
SELECT date_trunc('minute', "occurred_at"), "device_id", "kind", "reason", COALESCE("code", ''), "source", COALESCE("broker_node", ''), COUNT(*)::int
FROM "connection_events"
WHERE "kind" IN ('disconnected', 'connect_failed')
GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO "code_first_seen" ("code", "first_seen_at", "first_device_id")
SELECT DISTINCT ON ("code") "code", "occurred_at", "device_id"
FROM "connection_events"
WHERE "kind" IN ('disconnected', 'connect_failed') AND "code" IS NOT NULL
ORDER BY "code", "occurred_at", "device_id";

-- Connected gauge. History from the sessions (a device counts while one of its sessions is open, per source and
-- broker node of the session's connect), then one correction per device so the history ends exactly where
-- devices.state is: SUM(delta) = devices online, and each online device is counted under one source / node.
CREATE TEMP TABLE "fleet_backfill_sessions" ON COMMIT DROP AS
SELECT s."device_id", COALESCE(e."source", d."source", '') AS "source", COALESCE(e."broker_node", d."broker_node", '') AS "broker_node",
       s."started_at", s."ended_at"
FROM "sessions" s
JOIN "devices" d ON d."id" = s."device_id"
LEFT JOIN "connection_events" e ON e."id" = s."start_event_id";

INSERT INTO "fleet_connected_devices" ("device_id", "source", "broker_node", "since")
SELECT DISTINCT ON (d."id") d."id", COALESCE(s."source", d."source", ''), COALESCE(s."broker_node", d."broker_node", ''),
       COALESCE(s."started_at", d."state_occurred_at", d."last_connected_at", now())
FROM "devices" d
LEFT JOIN "fleet_backfill_sessions" s ON s."device_id" = d."id"
WHERE d."state" = 'online'
ORDER BY d."id", (s."ended_at" IS NULL) DESC, s."started_at" DESC NULLS LAST;

INSERT INTO "fleet_connected_minute" ("bucket", "source", "broker_node", "delta")
SELECT date_trunc('minute', "at"), "source", "broker_node", SUM("delta")::int
FROM (
    -- Into and out of "at least one session open", per device, source and node.
    SELECT "source", "broker_node", "at",
           CASE WHEN "open_after" > 0 AND "open_after" - "step" <= 0 THEN 1
                WHEN "open_after" <= 0 AND "open_after" - "step" > 0 THEN -1
                ELSE 0 END AS "delta"
    FROM (
        SELECT "device_id", "source", "broker_node", "at", "step",
               SUM("step") OVER (PARTITION BY "device_id", "source", "broker_node" ORDER BY "at", "step" DESC ROWS UNBOUNDED PRECEDING) AS "open_after"
        FROM (
            SELECT "device_id", "source", "broker_node", "started_at" AS "at", 1 AS "step" FROM "fleet_backfill_sessions"
            UNION ALL
            SELECT "device_id", "source", "broker_node", "ended_at", -1 FROM "fleet_backfill_sessions" WHERE "ended_at" IS NOT NULL
        ) "steps"
    ) "running"
    UNION ALL
    -- Corrections: counted (some session still open) versus what devices.state says.
    SELECT g."source", g."broker_node",
           COALESCE(GREATEST(d."state_occurred_at", g."latest_start"), now()) AS "at",
           g."target" - g."counted" AS "delta"
    FROM (
        SELECT "device_id", "source", "broker_node", SUM("counted")::int AS "counted", SUM("target")::int AS "target", MAX("latest_start") AS "latest_start"
        FROM (
            SELECT "device_id", "source", "broker_node", (COUNT(*) FILTER (WHERE "ended_at" IS NULL) > 0)::int AS "counted", 0 AS "target",
                   MAX("started_at") AS "latest_start"
            FROM "fleet_backfill_sessions"
            GROUP BY 1, 2, 3
            UNION ALL
            SELECT "device_id", "source", "broker_node", 0, 1, NULL FROM "fleet_connected_devices"
        ) "parts"
        GROUP BY 1, 2, 3
    ) g
    JOIN "devices" d ON d."id" = g."device_id"
    WHERE g."target" <> g."counted"
) "changes"
GROUP BY 1, 2, 3
HAVING SUM("delta") <> 0;
