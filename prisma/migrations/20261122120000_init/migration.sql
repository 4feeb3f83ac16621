-- CreateEnum
CREATE TYPE "EventKind" AS ENUM ('connected', 'disconnected', 'connect_failed', 'device_report');

-- CreateEnum
CREATE TYPE "Reason" AS ENUM ('connected', 'client_disconnect', 'connection_lost', 'keepalive_timeout', 'idle_timeout', 'session_taken_over', 'auth_failed', 'credential_expired', 'not_authorized', 'tls_error', 'protocol_error', 'throttled', 'quota_exceeded', 'server_error', 'server_shutdown', 'admin_disconnect', 'session_ttl', 'unknown');

-- CreateEnum
CREATE TYPE "Initiator" AS ENUM ('client', 'server', 'network', 'unknown');

-- CreateEnum
CREATE TYPE "DeviceState" AS ENUM ('online', 'offline', 'unknown');

-- CreateTable
CREATE TABLE "devices" (
    "id" TEXT NOT NULL,
    "state" "DeviceState" NOT NULL DEFAULT 'unknown',
    "current_session_key" TEXT,
    "state_occurred_at" TIMESTAMPTZ(3),
    "state_ordering" BIGINT,
    "last_connected_at" TIMESTAMPTZ(3),
    "last_disconnected_at" TIMESTAMPTZ(3),
    "last_reason" "Reason",
    "last_code" TEXT,
    "last_client_ip" TEXT,
    "source" TEXT,
    "broker_node" TEXT,
    "firmware" TEXT,
    "region" TEXT,
    "network" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "connect_count" INTEGER NOT NULL DEFAULT 0,
    "disconnect_count" INTEGER NOT NULL DEFAULT 0,
    "failed_connect_count" INTEGER NOT NULL DEFAULT 0,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connection_events" (
    "id" BIGSERIAL NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "device_id" TEXT NOT NULL,
    "kind" "EventKind" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" "Reason" NOT NULL,
    "initiator" "Initiator" NOT NULL,
    "code" TEXT,
    "message" TEXT,
    "source" TEXT NOT NULL,
    "broker_node" TEXT,
    "session_key" TEXT,
    "ordering" BIGINT,
    "client_ip" TEXT,
    "client_port" INTEGER,
    "protocol_version" INTEGER,
    "keepalive_sec" INTEGER,
    "clean_start" BOOLEAN,
    "session_present" BOOLEAN,
    "username" TEXT,
    "tls" BOOLEAN,
    "flags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "raw" JSONB NOT NULL,

    CONSTRAINT "connection_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" BIGSERIAL NOT NULL,
    "device_id" TEXT NOT NULL,
    "session_key" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "duration_ms" BIGINT,
    "end_reason" "Reason",
    "end_code" TEXT,
    "end_inferred" BOOLEAN NOT NULL DEFAULT false,
    "client_ip" TEXT,
    "start_event_id" BIGINT,
    "end_event_id" BIGINT,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_rollup_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "kind" "EventKind" NOT NULL,
    "reason" "Reason" NOT NULL,
    "code" TEXT NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,

    CONSTRAINT "event_rollup_minute_pkey" PRIMARY KEY ("bucket","kind","reason","code")
);

-- CreateTable
CREATE TABLE "dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "topic" TEXT,
    "error" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "payload_bytes" INTEGER NOT NULL,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "worker_status" (
    "id" TEXT NOT NULL,
    "broker_connected" BOOLEAN NOT NULL,
    "last_event_at" TIMESTAMPTZ(3),
    "lag_ms" INTEGER,
    "events_written" BIGINT NOT NULL DEFAULT 0,
    "dead_letters" BIGINT NOT NULL DEFAULT 0,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "worker_status_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "devices_state_idx" ON "devices"("state");

-- CreateIndex
CREATE UNIQUE INDEX "connection_events_dedupe_key_key" ON "connection_events"("dedupe_key");

-- CreateIndex
CREATE INDEX "connection_events_device_id_occurred_at_idx" ON "connection_events"("device_id", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "connection_events_occurred_at_idx" ON "connection_events"("occurred_at");

-- CreateIndex
CREATE INDEX "connection_events_code_occurred_at_idx" ON "connection_events"("code", "occurred_at");

-- CreateIndex
CREATE INDEX "sessions_device_id_started_at_idx" ON "sessions"("device_id", "started_at" DESC);

-- CreateIndex
CREATE INDEX "sessions_ended_at_idx" ON "sessions"("ended_at");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_device_id_session_key_key" ON "sessions"("device_id", "session_key");

-- CreateIndex
CREATE INDEX "event_rollup_minute_bucket_idx" ON "event_rollup_minute"("bucket");

-- CreateIndex
CREATE INDEX "dead_letters_received_at_idx" ON "dead_letters"("received_at");

-- AddForeignKey
ALTER TABLE "connection_events" ADD CONSTRAINT "connection_events_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
