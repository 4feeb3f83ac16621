-- CreateEnum
CREATE TYPE "AlertRuleKind" AS ENUM ('connected_below', 'connected_drop_percent', 'disconnect_rate_above', 'code_rate_above', 'device_offline_longer');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('ok', 'pending', 'firing');

-- CreateEnum
CREATE TYPE "AlertHistoryKind" AS ENUM ('fired', 'resolved', 'test');

-- CreateTable
CREATE TABLE "alert_rules" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AlertRuleKind" NOT NULL,
    "params" JSONB NOT NULL,
    "source" TEXT,
    "broker_node" TEXT,
    "window_ms" INTEGER NOT NULL,
    "for_ms" INTEGER NOT NULL,
    "clear_margin" DOUBLE PRECISION NOT NULL,
    "clear_for_ms" INTEGER NOT NULL,
    "webhook_url" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_states" (
    "rule_id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "status" "AlertStatus" NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "clearing_since" TIMESTAMPTZ(3),
    "last_value" DOUBLE PRECISION,
    "fired_at" TIMESTAMPTZ(3),
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_states_pkey" PRIMARY KEY ("rule_id","subject")
);

-- CreateTable
CREATE TABLE "alert_history" (
    "id" BIGSERIAL NOT NULL,
    "rule_id" TEXT,
    "rule_name" TEXT NOT NULL,
    "rule_kind" "AlertRuleKind" NOT NULL,
    "kind" "AlertHistoryKind" NOT NULL,
    "subject" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "message" TEXT NOT NULL,
    "link" TEXT NOT NULL,
    "delivery_status" TEXT NOT NULL,
    "http_status" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_history_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alert_history_occurred_at_idx" ON "alert_history"("occurred_at" DESC);

-- CreateIndex
CREATE INDEX "alert_history_rule_id_occurred_at_idx" ON "alert_history"("rule_id", "occurred_at" DESC);

-- AddForeignKey
ALTER TABLE "alert_states" ADD CONSTRAINT "alert_states_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
