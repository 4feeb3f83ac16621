-- Time partitioning (decision 026): connection_events, device_reason_minute and device_drop_minute become
-- monthly range partitions (<table>_pYYYYMM, UTC months) plus a default partition, so no insert ever fails and
-- retention drops whole months instead of deleting rows. Existing rows are copied into the new tables.

-- Creates the month partition holding `month_start` if it is missing. Rows of that month already in the default
-- partition (written before the partition existed) are moved into it first, so the attach never fails.
CREATE OR REPLACE FUNCTION linkscope_ensure_month_partition(parent text, month_start timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  month_local timestamp := date_trunc('month', month_start AT TIME ZONE 'UTC');
  lower_bound timestamptz := month_local AT TIME ZONE 'UTC';
  upper_bound timestamptz := (month_local + interval '1 month') AT TIME ZONE 'UTC';
  child text := parent || '_p' || to_char(month_local, 'YYYYMM');
  key_column text;
BEGIN
  IF to_regclass(quote_ident(child)) IS NOT NULL THEN
    RETURN false;
  END IF;
  SELECT a.attname INTO STRICT key_column
  FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
  WHERE p.partrelid = quote_ident(parent)::regclass;
  EXECUTE format('CREATE TABLE %I (LIKE %I)', child, parent);
  IF to_regclass(quote_ident(parent || '_default')) IS NOT NULL THEN
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
                   parent || '_default', key_column, key_column, child)
      USING lower_bound, upper_bound;
  END IF;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, child, lower_bound, upper_bound);
  RETURN true;
END;
$$;

-- Drops the month partitions that end at or before `cutoff` and deletes older rows from the default partition
-- (history imported after its month was dropped). Returns the dropped partitions' names.
CREATE OR REPLACE FUNCTION linkscope_drop_month_partitions_before(parent text, cutoff timestamptz) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  child text;
  key_column text;
BEGIN
  SELECT a.attname INTO STRICT key_column
  FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
  WHERE p.partrelid = quote_ident(parent)::regclass;
  FOR child IN
    SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = quote_ident(parent)::regclass AND c.relname::text ~ ('^' || parent || '_p[0-9]{6}$')
    ORDER BY 1
  LOOP
    IF ((to_date(right(child, 6) || '01', 'YYYYMMDD') + interval '1 month') AT TIME ZONE 'UTC') <= cutoff THEN
      EXECUTE format('DROP TABLE %I', child);
      RETURN NEXT child;
    END IF;
  END LOOP;
  IF to_regclass(quote_ident(parent || '_default')) IS NOT NULL THEN
    EXECUTE format('DELETE FROM %I WHERE %I < $1', parent || '_default', key_column) USING cutoff;
  END IF;
END;
$$;

-- ---- connection_events ----
ALTER TABLE "connection_events" RENAME TO "connection_events_unpartitioned";
ALTER TABLE "connection_events_unpartitioned" RENAME CONSTRAINT "connection_events_pkey" TO "connection_events_unpartitioned_pkey";
ALTER TABLE "connection_events_unpartitioned" RENAME CONSTRAINT "connection_events_device_id_fkey" TO "connection_events_unpartitioned_device_id_fkey";
ALTER INDEX "connection_events_dedupe_key_key" RENAME TO "connection_events_unpartitioned_dedupe_key_key";
ALTER INDEX "connection_events_device_id_occurred_at_idx" RENAME TO "connection_events_unpartitioned_device_id_occurred_at_idx";
ALTER INDEX "connection_events_occurred_at_idx" RENAME TO "connection_events_unpartitioned_occurred_at_idx";
ALTER INDEX "connection_events_code_occurred_at_idx" RENAME TO "connection_events_unpartitioned_code_occurred_at_idx";

-- Same columns in the same order; the primary key and the dedupe key carry the partition key (occurred_at).
CREATE TABLE "connection_events" (
    "id" BIGINT NOT NULL DEFAULT nextval('connection_events_id_seq'),
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

    CONSTRAINT "connection_events_pkey" PRIMARY KEY ("id", "occurred_at")
) PARTITION BY RANGE ("occurred_at");
ALTER SEQUENCE "connection_events_id_seq" OWNED BY "connection_events"."id";
CREATE UNIQUE INDEX "connection_events_dedupe_key_occurred_at_key" ON "connection_events"("dedupe_key", "occurred_at");
CREATE INDEX "connection_events_device_id_occurred_at_idx" ON "connection_events"("device_id", "occurred_at" DESC);
CREATE INDEX "connection_events_occurred_at_idx" ON "connection_events"("occurred_at");
CREATE INDEX "connection_events_code_occurred_at_idx" ON "connection_events"("code", "occurred_at");
ALTER TABLE "connection_events" ADD CONSTRAINT "connection_events_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE TABLE "connection_events_default" PARTITION OF "connection_events" DEFAULT;

-- Months from the oldest stored event (at most 25 months back: older rows wait in the default partition for
-- retention) to two months ahead; the worker's retention pass keeps creating months ahead.
SELECT linkscope_ensure_month_partition('connection_events', m AT TIME ZONE 'UTC')
FROM generate_series(
  date_trunc('month', GREATEST(LEAST((SELECT MIN("occurred_at") FROM "connection_events_unpartitioned"), now()), now() - interval '25 months') AT TIME ZONE 'UTC'),
  date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months',
  interval '1 month') AS m;

INSERT INTO "connection_events" SELECT * FROM "connection_events_unpartitioned";
DROP TABLE "connection_events_unpartitioned";

-- ---- device_reason_minute (its primary key already starts with the bucket) ----
ALTER TABLE "device_reason_minute" RENAME TO "device_reason_minute_unpartitioned";
ALTER TABLE "device_reason_minute_unpartitioned" RENAME CONSTRAINT "device_reason_minute_pkey" TO "device_reason_minute_unpartitioned_pkey";
ALTER INDEX "device_reason_minute_device_id_bucket_idx" RENAME TO "device_reason_minute_unpartitioned_device_id_bucket_idx";

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
) PARTITION BY RANGE ("bucket");
CREATE INDEX "device_reason_minute_device_id_bucket_idx" ON "device_reason_minute"("device_id", "bucket");
CREATE TABLE "device_reason_minute_default" PARTITION OF "device_reason_minute" DEFAULT;

SELECT linkscope_ensure_month_partition('device_reason_minute', m AT TIME ZONE 'UTC')
FROM generate_series(
  date_trunc('month', GREATEST(LEAST((SELECT MIN("bucket") FROM "device_reason_minute_unpartitioned"), now()), now() - interval '25 months') AT TIME ZONE 'UTC'),
  date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months',
  interval '1 month') AS m;

INSERT INTO "device_reason_minute" SELECT * FROM "device_reason_minute_unpartitioned";
DROP TABLE "device_reason_minute_unpartitioned";

-- ---- device_drop_minute ----
ALTER TABLE "device_drop_minute" RENAME TO "device_drop_minute_unpartitioned";
ALTER TABLE "device_drop_minute_unpartitioned" RENAME CONSTRAINT "device_drop_minute_pkey" TO "device_drop_minute_unpartitioned_pkey";

CREATE TABLE "device_drop_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "device_id" TEXT NOT NULL,
    "drops" INTEGER NOT NULL,

    CONSTRAINT "device_drop_minute_pkey" PRIMARY KEY ("bucket","device_id")
) PARTITION BY RANGE ("bucket");
CREATE TABLE "device_drop_minute_default" PARTITION OF "device_drop_minute" DEFAULT;

SELECT linkscope_ensure_month_partition('device_drop_minute', m AT TIME ZONE 'UTC')
FROM generate_series(
  date_trunc('month', GREATEST(LEAST((SELECT MIN("bucket") FROM "device_drop_minute_unpartitioned"), now()), now() - interval '25 months') AT TIME ZONE 'UTC'),
  date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months',
  interval '1 month') AS m;

INSERT INTO "device_drop_minute" SELECT * FROM "device_drop_minute_unpartitioned";
DROP TABLE "device_drop_minute_unpartitioned";

-- ---- connected-gauge snapshots and retention progress ----

-- The gauge at the start of each hour per source / broker node (SUM of the deltas before `at`), so a count
-- reads the latest snapshot plus the deltas after it instead of every delta since the beginning.
CREATE TABLE "fleet_connected_snapshots" (
    "at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL DEFAULT '',
    "connected" INTEGER NOT NULL,

    CONSTRAINT "fleet_connected_snapshots_pkey" PRIMARY KEY ("at","source","broker_node")
);

-- How far each incremental retention task (raw payload trimming, minute → hour downsampling) has got.
CREATE TABLE "retention_progress" (
    "task" TEXT NOT NULL,
    "done_until" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "retention_progress_pkey" PRIMARY KEY ("task")
);
