-- Import progress lives in its run row so any web process can report it, and a run whose process stopped is seen
-- as interrupted (its heartbeat ages) instead of running forever.
ALTER TABLE "import_runs" ADD COLUMN "bytes_read" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "import_runs" ADD COLUMN "heartbeat_at" TIMESTAMPTZ(3);
