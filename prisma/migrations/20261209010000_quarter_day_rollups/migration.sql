-- Decision 046: the hourly rollups summed again per quarter day (6 hours from 00:00 UTC), so fleet reads over weeks
-- read quarter days in the middle, hours next to them and minutes only at the edges (30 days: 120 rows per key, not
-- 720). Kept by the same triggers as the hour tables, in the same statements: every change to an hour row changes
-- its quarter day by the same amount.
CREATE TABLE "event_rollup_quarter_day" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "kind" "EventKind" NOT NULL,
    "reason" "Reason" NOT NULL,
    "code" TEXT NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,
    "shard" SMALLINT NOT NULL DEFAULT 0,

    CONSTRAINT "event_rollup_quarter_day_pkey" PRIMARY KEY ("bucket","kind","reason","code","shard")
);

CREATE TABLE "fleet_reason_quarter_day" (
    "dimension" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL DEFAULT '',
    "kind" "EventKind" NOT NULL,
    "reason" "Reason" NOT NULL,
    "code" TEXT NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,

    CONSTRAINT "fleet_reason_quarter_day_pkey" PRIMARY KEY ("dimension","value","bucket","source","broker_node","kind","reason","code")
);

CREATE INDEX "fleet_reason_quarter_day_scope_idx" ON "fleet_reason_quarter_day"("dimension", "value", "source", "broker_node", "bucket");

CREATE OR REPLACE FUNCTION linkscope_add_event_rollup_hour(at TIMESTAMPTZ, k "EventKind", r "Reason", c TEXT, s SMALLINT, delta INTEGER)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF delta = 0 THEN RETURN; END IF;
  INSERT INTO event_rollup_hour AS h (bucket, kind, reason, code, count, shard)
  VALUES (date_bin('1 hour', at, TIMESTAMPTZ '1970-01-01 00:00:00+00'), k, r, c, delta, s)
  ON CONFLICT (bucket, kind, reason, code, shard) DO UPDATE SET count = h.count + EXCLUDED.count;
  INSERT INTO event_rollup_quarter_day AS q (bucket, kind, reason, code, count, shard)
  VALUES (date_bin('6 hours', at, TIMESTAMPTZ '1970-01-01 00:00:00+00'), k, r, c, delta, s)
  ON CONFLICT (bucket, kind, reason, code, shard) DO UPDATE SET count = q.count + EXCLUDED.count;
END $$;

-- Adds hour rows (unique keys) to fleet_reason_hour and, summed per quarter day, to fleet_reason_quarter_day.
CREATE FUNCTION linkscope_add_fleet_reason_buckets(added fleet_reason_hour[])
RETURNS void LANGUAGE sql AS $$
  WITH added_hours AS (
    INSERT INTO fleet_reason_hour AS h (dimension, value, bucket, source, broker_node, kind, reason, code, count)
    SELECT * FROM unnest(added)
    ON CONFLICT (dimension, value, bucket, source, broker_node, kind, reason, code) DO UPDATE SET count = h.count + EXCLUDED.count
  )
  INSERT INTO fleet_reason_quarter_day AS q (dimension, value, bucket, source, broker_node, kind, reason, code, count)
  SELECT dimension, value, date_bin('6 hours', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), source, broker_node, kind, reason, code, SUM(count)::int
  FROM unnest(added) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (dimension, value, bucket, source, broker_node, kind, reason, code) DO UPDATE SET count = q.count + EXCLUDED.count
$$;

CREATE OR REPLACE FUNCTION linkscope_add_fleet_reason_hours(changed device_reason_minute[], direction INTEGER)
RETURNS void LANGUAGE sql AS $$
  SELECT linkscope_add_fleet_reason_buckets(ARRAY(
    SELECT ROW(k.dimension, k.value, date_bin('1 hour', c.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), c.source, c.broker_node,
               c.kind, c.reason, c.code, direction * SUM(c.count)::int)::fleet_reason_hour
    FROM unnest(changed) c
    LEFT JOIN devices d ON d.id = c.device_id
    CROSS JOIN LATERAL linkscope_device_dimensions(d.firmware, d.region, d.network, d.labels) k
    GROUP BY k.dimension, k.value, date_bin('1 hour', c.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), c.source, c.broker_node, c.kind, c.reason, c.code HAVING SUM(c.count) <> 0))
$$;

CREATE OR REPLACE FUNCTION linkscope_move_fleet_reason_hours(device TEXT, old_meta devices, new_meta devices)
RETURNS void LANGUAGE sql AS $$
  SELECT linkscope_add_fleet_reason_buckets(ARRAY(
    SELECT ROW(k.dimension, k.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node,
               r.kind, r.reason, r.code, SUM(k.sign * r.count)::int)::fleet_reason_hour
    FROM device_reason_minute r
    CROSS JOIN LATERAL (
      SELECT o.dimension, o.value, -1 AS sign
      FROM linkscope_device_dimensions((old_meta).firmware, (old_meta).region, (old_meta).network, (old_meta).labels) o
      WHERE (old_meta).id IS NOT NULL AND o.dimension <> ''
      UNION ALL
      SELECT n.dimension, n.value, 1
      FROM linkscope_device_dimensions((new_meta).firmware, (new_meta).region, (new_meta).network, (new_meta).labels) n
      WHERE (new_meta).id IS NOT NULL AND n.dimension <> ''
    ) k
    WHERE r.device_id = device
    GROUP BY k.dimension, k.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node, r.kind, r.reason, r.code HAVING SUM(k.sign * r.count) <> 0))
$$;

INSERT INTO "event_rollup_quarter_day" ("bucket", "kind", "reason", "code", "count", "shard")
SELECT date_bin('6 hours', "bucket", TIMESTAMPTZ '1970-01-01 00:00:00+00'), "kind", "reason", "code", SUM("count")::int, "shard"
FROM "event_rollup_hour" GROUP BY 1, 2, 3, 4, 6;

INSERT INTO "fleet_reason_quarter_day" ("dimension", "value", "bucket", "source", "broker_node", "kind", "reason", "code", "count")
SELECT "dimension", "value", date_bin('6 hours', "bucket", TIMESTAMPTZ '1970-01-01 00:00:00+00'), "source", "broker_node", "kind", "reason", "code", SUM("count")::int
FROM "fleet_reason_hour" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
