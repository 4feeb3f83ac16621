-- Decision 062: the functions that device_reason_minute's statement triggers call on every writer batch, the same
-- statements in PL/pgSQL instead of SQL. Postgres 15 parses and plans a SQL function's body on every call; PL/pgSQL
-- keeps each statement's plan for the session (≈ 4 µs of Postgres CPU per stored event at batches of 500).

CREATE OR REPLACE FUNCTION linkscope_add_fleet_reason_buckets(added fleet_reason_hour[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH added_hours AS (
    INSERT INTO fleet_reason_hour AS h (dimension, value, bucket, source, broker_node, kind, reason, code, count)
    SELECT * FROM unnest(added) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (dimension, value, bucket, source, broker_node, kind, reason, code) DO UPDATE SET count = h.count + EXCLUDED.count
  )
  INSERT INTO fleet_reason_quarter_day AS q (dimension, value, bucket, source, broker_node, kind, reason, code, count)
  SELECT dimension, value, date_bin('6 hours', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), source, broker_node, kind, reason, code, SUM(count)::int
  FROM unnest(added) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (dimension, value, bucket, source, broker_node, kind, reason, code) DO UPDATE SET count = q.count + EXCLUDED.count;
END $$;

CREATE OR REPLACE FUNCTION linkscope_add_fleet_reason_hours(changed device_reason_minute[], direction INTEGER)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM linkscope_add_fleet_reason_buckets(ARRAY(
    SELECT ROW(k.dimension, k.value, date_bin('1 hour', c.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), c.source, c.broker_node,
               c.kind, c.reason, c.code, direction * SUM(c.count)::int)::fleet_reason_hour
    FROM unnest(changed) c
    LEFT JOIN devices d ON d.id = c.device_id
    CROSS JOIN LATERAL linkscope_device_dimensions(d.firmware, d.region, d.network, d.labels) k
    GROUP BY k.dimension, k.value, date_bin('1 hour', c.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), c.source, c.broker_node, c.kind, c.reason, c.code HAVING SUM(c.count) <> 0));
END $$;

CREATE OR REPLACE FUNCTION linkscope_raise_device_reason_latest(changed device_reason_minute[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device_reason_latest AS l (source, broker_node, device_id, last_bucket)
  SELECT c.source, c.broker_node, c.device_id, MAX(c.bucket) FROM unnest(changed) c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (source, broker_node, device_id) DO UPDATE SET last_bucket = EXCLUDED.last_bucket
  WHERE l.last_bucket < EXCLUDED.last_bucket;
END $$;

-- The writer's upserts call it on every batch with nothing stale (an upsert keeps its keys): return before planning.
CREATE OR REPLACE FUNCTION linkscope_recount_device_reason_latest(stale device_reason_latest[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(stale) = 0 THEN
    RETURN;
  END IF;
  WITH keys AS (
    SELECT s.source, s.broker_node, s.device_id, MAX(s.last_bucket) AS gone FROM unnest(stale) s GROUP BY 1, 2, 3
  ), newest AS (
    SELECT k.source, k.broker_node, k.device_id, k.gone,
           (SELECT MAX(r.bucket) FROM device_reason_minute r
            WHERE r.device_id = k.device_id AND r.source = k.source AND r.broker_node = k.broker_node) AS last_bucket
    FROM keys k
  ), emptied AS (
    DELETE FROM device_reason_latest l USING newest n
    WHERE l.source = n.source AND l.broker_node = n.broker_node AND l.device_id = n.device_id
      AND n.last_bucket IS NULL AND l.last_bucket <= n.gone
  )
  UPDATE device_reason_latest l SET last_bucket = n.last_bucket FROM newest n
  WHERE l.source = n.source AND l.broker_node = n.broker_node AND l.device_id = n.device_id
    AND l.last_bucket <= n.gone AND l.last_bucket <> n.last_bucket;
END $$;
