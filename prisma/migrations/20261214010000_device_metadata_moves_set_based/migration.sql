-- Decision 057: a metadata change on devices moves the fleet_reason_hour / _quarter_day rows of every device the
-- statement changed in one set-based upsert, not one device at a time (a rollout UPDATE of 25,000 devices ran its row
-- trigger 25,000 times, ≈ 15 min at 10M events). Statement triggers with transition tables cannot have a column list
-- or a WHEN clause, so the functions pick the devices whose metadata changed themselves.

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

-- Inserted devices with any metadata, deleted ones with any, updated ones whose firmware, region, network or labels
-- changed (the ingest writer's per-batch state updates change none of them and move nothing).
CREATE FUNCTION linkscope_fleet_reason_hour_move_devices() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  taken_out devices[] := '{}';
  put_in devices[] := '{}';
BEGIN
  IF TG_OP = 'INSERT' THEN
    put_in := ARRAY(SELECT n::devices FROM new_devices n
                    WHERE n.firmware IS NOT NULL OR n.region IS NOT NULL OR n.network IS NOT NULL OR n.labels <> '{}'::jsonb);
  ELSIF TG_OP = 'DELETE' THEN
    taken_out := ARRAY(SELECT o::devices FROM old_devices o
                       WHERE o.firmware IS NOT NULL OR o.region IS NOT NULL OR o.network IS NOT NULL OR o.labels <> '{}'::jsonb);
  ELSE
    taken_out := ARRAY(SELECT o::devices FROM old_devices o WHERE NOT EXISTS (
                         SELECT 1 FROM new_devices n WHERE n.id = o.id
                           AND (n.firmware, n.region, n.network, n.labels) IS NOT DISTINCT FROM (o.firmware, o.region, o.network, o.labels)));
    put_in := ARRAY(SELECT n::devices FROM new_devices n WHERE NOT EXISTS (
                      SELECT 1 FROM old_devices o WHERE o.id = n.id
                        AND (o.firmware, o.region, o.network, o.labels) IS NOT DISTINCT FROM (n.firmware, n.region, n.network, n.labels)));
  END IF;
  IF cardinality(taken_out) > 0 OR cardinality(put_in) > 0 THEN
    PERFORM linkscope_move_fleet_reason_device_hours(taken_out, put_in);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER fleet_reason_hour_devices_insert AFTER INSERT ON "devices"
REFERENCING NEW TABLE AS new_devices FOR EACH STATEMENT EXECUTE FUNCTION linkscope_fleet_reason_hour_move_devices();
CREATE TRIGGER fleet_reason_hour_devices_update AFTER UPDATE ON "devices"
REFERENCING OLD TABLE AS old_devices NEW TABLE AS new_devices FOR EACH STATEMENT EXECUTE FUNCTION linkscope_fleet_reason_hour_move_devices();
CREATE TRIGGER fleet_reason_hour_devices_delete AFTER DELETE ON "devices"
REFERENCING OLD TABLE AS old_devices FOR EACH STATEMENT EXECUTE FUNCTION linkscope_fleet_reason_hour_move_devices();
