-- Decision 057: a metadata change on devices moves the fleet_reason_hour / _quarter_day rows of every device the
-- statement changed in one set-based upsert, not one device at a time (a rollout UPDATE of 25,000 devices ran its row
-- trigger 25,000 times, ≈ 15 min at 10M events). Row triggers queue the changed devices, a statement trigger
-- moves them together (below).

DROP TRIGGER fleet_reason_hour_device_insert ON "devices";
DROP TRIGGER fleet_reason_hour_device_update ON "devices";
DROP TRIGGER fleet_reason_hour_device_delete ON "devices";
DROP FUNCTION linkscope_fleet_reason_hour_move();
DROP FUNCTION linkscope_move_fleet_reason_hours(TEXT, devices, devices);

-- As in 20261209010000_quarter_day_rollups, with hours and quarter days upserted in key order: two statements moving
-- overlapping keys (two rollouts, a rollout beside the writer's minute upserts) then lock them in the same order.
CREATE OR REPLACE FUNCTION linkscope_add_fleet_reason_buckets(added fleet_reason_hour[])
RETURNS void LANGUAGE sql AS $$
  WITH added_hours AS (
    INSERT INTO fleet_reason_hour AS h (dimension, value, bucket, source, broker_node, kind, reason, code, count)
    SELECT * FROM unnest(added) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (dimension, value, bucket, source, broker_node, kind, reason, code) DO UPDATE SET count = h.count + EXCLUDED.count
  )
  INSERT INTO fleet_reason_quarter_day AS q (dimension, value, bucket, source, broker_node, kind, reason, code, count)
  SELECT dimension, value, date_bin('6 hours', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), source, broker_node, kind, reason, code, SUM(count)::int
  FROM unnest(added) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (dimension, value, bucket, source, broker_node, kind, reason, code) DO UPDATE SET count = q.count + EXCLUDED.count
$$;

-- Takes the minute rows of the devices in taken_out out of those devices' metadata dimensions and puts the minute rows
-- of the devices in put_in under theirs ('' is every device and never moves). Netted per device and dimension value
-- first, so a dimension a device keeps reads none of its minutes; an id change moves the old id's rows out and the
-- new id's rows in, as the per-device reading (joined to devices now) would.
CREATE FUNCTION linkscope_move_fleet_reason_device_hours(taken_out devices[], put_in devices[])
RETURNS void LANGUAGE sql AS $$
  WITH moved AS (
    SELECT k.device_id, k.dimension, k.value, SUM(k.sign)::int AS sign
    FROM (
      SELECT o.id AS device_id, d.dimension, d.value, -1 AS sign
      FROM unnest(taken_out) o CROSS JOIN LATERAL linkscope_device_dimensions(o.firmware, o.region, o.network, o.labels) d
      WHERE d.dimension <> ''
      UNION ALL
      SELECT n.id, d.dimension, d.value, 1
      FROM unnest(put_in) n CROSS JOIN LATERAL linkscope_device_dimensions(n.firmware, n.region, n.network, n.labels) d
      WHERE d.dimension <> ''
    ) k
    GROUP BY 1, 2, 3 HAVING SUM(k.sign) <> 0
  )
  SELECT linkscope_add_fleet_reason_buckets(ARRAY(
    SELECT ROW(m.dimension, m.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node,
               r.kind, r.reason, r.code, SUM(m.sign * r.count)::int)::fleet_reason_hour
    FROM moved m JOIN device_reason_minute r ON r.device_id = m.device_id
    GROUP BY m.dimension, m.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node, r.kind, r.reason, r.code
    HAVING SUM(m.sign * r.count) <> 0))
  WHERE EXISTS (SELECT 1 FROM moved)
$$;

-- Which devices a statement changed: row triggers, which fire only when a statement sets id, firmware, region, network
-- or labels and a value changes (the ingest writer's per-batch inserts and state updates set none of them and cost
-- nothing here; statement triggers with transition tables would make every UPDATE of devices capture its rows), queue
-- the old and new rows in a temporary table of the session, and a statement trigger moves them all at once.
CREATE FUNCTION linkscope_queue_device_metadata_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('pg_temp.linkscope_device_metadata_moves') IS NULL THEN
    CREATE TEMP TABLE linkscope_device_metadata_moves (taken_out devices, put_in devices) ON COMMIT DELETE ROWS;
  END IF;
  INSERT INTO linkscope_device_metadata_moves (taken_out, put_in)
  VALUES (CASE WHEN TG_OP <> 'INSERT' THEN OLD END, CASE WHEN TG_OP <> 'DELETE' THEN NEW END);
  RETURN NULL;
END $$;

-- Statement-level AFTER triggers fire after the statement's row-level ones: the queue holds this statement's changes
-- (rows of other sessions are in their own temporary tables).
CREATE FUNCTION linkscope_apply_device_metadata_moves() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  taken_out devices[];
  put_in devices[];
BEGIN
  IF to_regclass('pg_temp.linkscope_device_metadata_moves') IS NULL THEN
    RETURN NULL;
  END IF;
  -- A composite IS NOT NULL needs every field non-null: test the key.
  taken_out := ARRAY(SELECT m.taken_out FROM pg_temp.linkscope_device_metadata_moves m WHERE (m.taken_out).id IS NOT NULL);
  put_in := ARRAY(SELECT m.put_in FROM pg_temp.linkscope_device_metadata_moves m WHERE (m.put_in).id IS NOT NULL);
  DELETE FROM pg_temp.linkscope_device_metadata_moves;
  IF cardinality(taken_out) > 0 OR cardinality(put_in) > 0 THEN
    PERFORM linkscope_move_fleet_reason_device_hours(taken_out, put_in);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER fleet_reason_hour_device_queue_insert AFTER INSERT ON "devices" FOR EACH ROW
WHEN (NEW.firmware IS NOT NULL OR NEW.region IS NOT NULL OR NEW.network IS NOT NULL OR NEW.labels <> '{}'::jsonb)
EXECUTE FUNCTION linkscope_queue_device_metadata_move();
CREATE TRIGGER fleet_reason_hour_device_queue_update AFTER UPDATE OF id, firmware, region, network, labels ON "devices" FOR EACH ROW
WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.firmware IS DISTINCT FROM NEW.firmware OR OLD.region IS DISTINCT FROM NEW.region
      OR OLD.network IS DISTINCT FROM NEW.network OR OLD.labels IS DISTINCT FROM NEW.labels)
EXECUTE FUNCTION linkscope_queue_device_metadata_move();
CREATE TRIGGER fleet_reason_hour_device_queue_delete AFTER DELETE ON "devices" FOR EACH ROW
WHEN (OLD.firmware IS NOT NULL OR OLD.region IS NOT NULL OR OLD.network IS NOT NULL OR OLD.labels <> '{}'::jsonb)
EXECUTE FUNCTION linkscope_queue_device_metadata_move();

CREATE TRIGGER fleet_reason_hour_devices_insert AFTER INSERT ON "devices" FOR EACH STATEMENT
EXECUTE FUNCTION linkscope_apply_device_metadata_moves();
CREATE TRIGGER fleet_reason_hour_devices_update AFTER UPDATE OF id, firmware, region, network, labels ON "devices" FOR EACH STATEMENT
EXECUTE FUNCTION linkscope_apply_device_metadata_moves();
CREATE TRIGGER fleet_reason_hour_devices_delete AFTER DELETE ON "devices" FOR EACH STATEMENT
EXECUTE FUNCTION linkscope_apply_device_metadata_moves();
