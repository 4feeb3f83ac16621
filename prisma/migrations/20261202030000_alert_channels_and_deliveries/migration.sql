-- Alert channels and durable delivery (issue 17).

CREATE TYPE "AlertChannelType" AS ENUM ('email', 'pagerduty', 'opsgenie', 'teams', 'slack', 'webhook');
CREATE TYPE "AlertDeliveryStatus" AS ENUM ('pending', 'delivering', 'delivered', 'failed', 'gave_up');

CREATE TABLE "alert_channels" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "AlertChannelType" NOT NULL,
    "settings" JSONB NOT NULL,
    "secrets" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_channels_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alert_channels_name_key" ON "alert_channels"("name");

CREATE TABLE "alert_rule_channels" (
    "rule_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,

    CONSTRAINT "alert_rule_channels_pkey" PRIMARY KEY ("rule_id","channel_id")
);
CREATE INDEX "alert_rule_channels_channel_id_idx" ON "alert_rule_channels"("channel_id");
ALTER TABLE "alert_rule_channels" ADD CONSTRAINT "alert_rule_channels_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alert_rule_channels" ADD CONSTRAINT "alert_rule_channels_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "alert_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "history_id" BIGINT NOT NULL,
    "channel_id" TEXT,
    "channel_name" TEXT NOT NULL,
    "channel_type" "AlertChannelType" NOT NULL,
    "notification" JSONB NOT NULL,
    "status" "AlertDeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "claim_token" TEXT,
    "last_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "http_status" INTEGER,
    "response" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "alert_deliveries_next_attempt_at_idx" ON "alert_deliveries"("next_attempt_at");
CREATE INDEX "alert_deliveries_history_id_idx" ON "alert_deliveries"("history_id");
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_history_id_fkey" FOREIGN KEY ("history_id") REFERENCES "alert_history"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "alert_delivery_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "delivered" BOOLEAN NOT NULL,
    "http_status" INTEGER,
    "response" TEXT,
    "error" TEXT,

    CONSTRAINT "alert_delivery_attempts_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "alert_delivery_attempts_delivery_id_idx" ON "alert_delivery_attempts"("delivery_id");
ALTER TABLE "alert_delivery_attempts" ADD CONSTRAINT "alert_delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "alert_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Each rule's webhook URL becomes a webhook channel of its own (named after the rule, made unique), chosen by that rule.
CREATE TEMP TABLE "migrated_webhooks" AS
SELECT r."id" AS "rule_id", gen_random_uuid()::text AS "channel_id",
       left(r."name", 80) || ' webhook' || CASE WHEN count(*) OVER (PARTITION BY left(r."name", 80)) > 1
                                                 THEN ' ' || row_number() OVER (PARTITION BY left(r."name", 80) ORDER BY r."created_at", r."id") ELSE '' END AS "name",
       r."webhook_url", r."created_by"
FROM "alert_rules" r
WHERE r."webhook_url" IS NOT NULL AND r."webhook_url" <> '';

INSERT INTO "alert_channels" ("id", "name", "type", "settings", "secrets", "created_by")
SELECT "channel_id", "name", 'webhook', '{}'::jsonb, jsonb_build_object('url', "webhook_url"), "created_by" FROM "migrated_webhooks";

INSERT INTO "alert_rule_channels" ("rule_id", "channel_id") SELECT "rule_id", "channel_id" FROM "migrated_webhooks";

-- Past delivery results become delivery rows; none is sent again (a row left pending by a crash is closed as given up).
INSERT INTO "alert_deliveries" ("history_id", "channel_id", "channel_name", "channel_type", "notification", "status", "attempts", "next_attempt_at", "delivered_at", "http_status", "error", "created_at")
SELECT h."id", m."channel_id", coalesce(m."name", 'webhook'), 'webhook', '{}'::jsonb,
       CASE WHEN h."delivery_status" = 'delivered' THEN 'delivered'::"AlertDeliveryStatus" ELSE 'gave_up'::"AlertDeliveryStatus" END,
       h."attempts", h."occurred_at", CASE WHEN h."delivery_status" = 'delivered' THEN h."occurred_at" END, h."http_status",
       CASE WHEN h."delivery_status" = 'pending' THEN 'never sent (recorded before durable delivery)' ELSE h."error" END,
       h."occurred_at"
FROM "alert_history" h
LEFT JOIN "migrated_webhooks" m ON m."rule_id" = h."rule_id"
WHERE h."delivery_status" <> 'no_webhook';

ALTER TABLE "alert_history" DROP COLUMN "delivery_status", DROP COLUMN "http_status", DROP COLUMN "attempts", DROP COLUMN "error";
ALTER TABLE "alert_rules" DROP COLUMN "webhook_url";
DROP TABLE "migrated_webhooks";
