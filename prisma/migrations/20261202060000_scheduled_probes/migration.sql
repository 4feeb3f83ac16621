-- Scheduled probes (issue 16): endpoints the worker probes on a schedule, and the result of every run.
CREATE TABLE "probe_endpoints" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "mqtt_version" INTEGER NOT NULL DEFAULT 4,
    "client_id" TEXT,
    "username" TEXT,
    "password" TEXT,
    "ca_pem" TEXT,
    "interval_minutes" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "source" TEXT,
    "broker_node" TEXT,
    "next_run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_at" TIMESTAMPTZ(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "probe_endpoints_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "probe_endpoints_interval_check" CHECK ("interval_minutes" BETWEEN 1 AND 1440),
    CONSTRAINT "probe_endpoints_mqtt_version_check" CHECK ("mqtt_version" IN (4, 5))
);

CREATE UNIQUE INDEX "probe_endpoints_name_key" ON "probe_endpoints"("name");
CREATE INDEX "probe_endpoints_next_run_at_idx" ON "probe_endpoints"("next_run_at");
CREATE INDEX "probe_endpoints_source_broker_node_idx" ON "probe_endpoints"("source", "broker_node");

CREATE TABLE "probe_runs" (
    "id" BIGSERIAL NOT NULL,
    "endpoint_id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "failed_step" TEXT,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "explanation" TEXT,
    "report" JSONB,

    CONSTRAINT "probe_runs_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "probe_runs_endpoint_id_started_at_idx" ON "probe_runs"("endpoint_id", "started_at" DESC);
CREATE INDEX "probe_runs_started_at_idx" ON "probe_runs"("started_at");

ALTER TABLE "probe_runs" ADD CONSTRAINT "probe_runs_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "probe_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;
