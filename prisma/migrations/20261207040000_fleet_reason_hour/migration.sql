-- Decision 044: device_reason_minute summed per hour, source, broker node and one metadata dimension of the device
-- as it is now ('' = every device; 'firmware', 'region', 'network', 'label:<key>'), so filtered fleet reads over days
-- read whole hours here and minutes only at a range's edges. Kept exact by statement triggers on device_reason_minute
-- (the writer's upserts, downsampling in place, deletes from the default partition) and by row triggers on devices
-- that move a device's hours when its metadata changes, as the per-device reading (joined to devices now) would.
CREATE TABLE "fleet_reason_hour" (
    "dimension" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL DEFAULT '',
    "kind" "EventKind" NOT NULL,
    "reason" "Reason" NOT NULL,
    "code" TEXT NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,

    CONSTRAINT "fleet_reason_hour_pkey" PRIMARY KEY ("dimension","value","bucket","source","broker_node","kind","reason","code")
);

CREATE INDEX "fleet_reason_hour_scope_idx" ON "fleet_reason_hour"("dimension", "value", "source", "broker_node", "bucket");

-- The (dimension, value) pairs a device's metadata falls under, '' first; string label values only (what the filter's
-- labels @> {…} matches).
CREATE FUNCTION linkscope_device_dimensions(fw TEXT, rg TEXT, nw TEXT, labels JSONB)
RETURNS TABLE (dimension TEXT, value TEXT) LANGUAGE sql IMMUTABLE AS $$
  SELECT '', '' UNION ALL
  SELECT 'firmware', fw WHERE fw IS NOT NULL UNION ALL
  SELECT 'region', rg WHERE rg IS NOT NULL UNION ALL
  SELECT 'network', nw WHERE nw IS NOT NULL UNION ALL
  SELECT 'label:' || l.key, l.value #>> '{}'
  FROM jsonb_each(CASE WHEN jsonb_typeof(labels) = 'object' THEN labels ELSE '{}'::jsonb END) l
  WHERE jsonb_typeof(l.value) = 'string'
$$;

-- Adds direction × count of minute rows to their hours under every dimension of their device's metadata now.
CREATE FUNCTION linkscope_add_fleet_reason_hours(changed device_reason_minute[], direction INTEGER)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO fleet_reason_hour AS h (dimension, value, bucket, source, broker_node, kind, reason, code, count)
  SELECT k.dimension, k.value, date_bin('1 hour', c.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), c.source, c.broker_node,
         c.kind, c.reason, c.code, direction * SUM(c.count)::int
  FROM unnest(changed) c
  LEFT JOIN devices d ON d.id = c.device_id
  CROSS JOIN LATERAL linkscope_device_dimensions(d.firmware, d.region, d.network, d.labels) k
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.count) <> 0
  ON CONFLICT (dimension, value, bucket, source, broker_node, kind, reason, code) DO UPDATE SET count = h.count + EXCLUDED.count
$$;

-- Adds ± a device's minute rows under the metadata dimensions given (not ''): a metadata change is the old
-- dimensions taken out and the new ones put in; unchanged dimensions cancel out.
CREATE FUNCTION linkscope_move_fleet_reason_hours(device TEXT, old_meta devices, new_meta devices)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO fleet_reason_hour AS h (dimension, value, bucket, source, broker_node, kind, reason, code, count)
  SELECT k.dimension, k.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node,
         r.kind, r.reason, r.code, SUM(k.sign * r.count)::int
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
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING SUM(k.sign * r.count) <> 0
  ON CONFLICT (dimension, value, bucket, source, broker_node, kind, reason, code) DO UPDATE SET count = h.count + EXCLUDED.count
$$;

CREATE FUNCTION linkscope_fleet_reason_hour_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM linkscope_add_fleet_reason_hours(ARRAY(SELECT o::device_reason_minute FROM old_rows o), -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM linkscope_add_fleet_reason_hours(ARRAY(SELECT n::device_reason_minute FROM new_rows n), 1);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION linkscope_fleet_reason_hour_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM linkscope_move_fleet_reason_hours(NEW.id, NULL, NEW);
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM linkscope_move_fleet_reason_hours(NEW.id, OLD, NEW);
  ELSE
    PERFORM linkscope_move_fleet_reason_hours(OLD.id, OLD, NULL);
  END IF;
  RETURN NULL;
END $$;

INSERT INTO "fleet_reason_hour" ("dimension", "value", "bucket", "source", "broker_node", "kind", "reason", "code", "count")
SELECT k.dimension, k.value, date_bin('1 hour', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), r.source, r.broker_node,
       r.kind, r.reason, r.code, SUM(r.count)::int
FROM "device_reason_minute" r
LEFT JOIN "devices" d ON d.id = r.device_id
CROSS JOIN LATERAL linkscope_device_dimensions(d.firmware, d.region, d.network, d.labels) k
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

CREATE TRIGGER fleet_reason_hour_insert AFTER INSERT ON "device_reason_minute"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION linkscope_fleet_reason_hour_sync();
CREATE TRIGGER fleet_reason_hour_update AFTER UPDATE ON "device_reason_minute"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION linkscope_fleet_reason_hour_sync();
CREATE TRIGGER fleet_reason_hour_delete AFTER DELETE ON "device_reason_minute"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION linkscope_fleet_reason_hour_sync();

CREATE TRIGGER fleet_reason_hour_device_insert AFTER INSERT ON "devices" FOR EACH ROW
WHEN (NEW.firmware IS NOT NULL OR NEW.region IS NOT NULL OR NEW.network IS NOT NULL OR NEW.labels <> '{}'::jsonb)
EXECUTE FUNCTION linkscope_fleet_reason_hour_move();
CREATE TRIGGER fleet_reason_hour_device_update AFTER UPDATE OF firmware, region, network, labels ON "devices" FOR EACH ROW
WHEN (OLD.firmware IS DISTINCT FROM NEW.firmware OR OLD.region IS DISTINCT FROM NEW.region
      OR OLD.network IS DISTINCT FROM NEW.network OR OLD.labels IS DISTINCT FROM NEW.labels)
EXECUTE FUNCTION linkscope_fleet_reason_hour_move();
CREATE TRIGGER fleet_reason_hour_device_delete AFTER DELETE ON "devices" FOR EACH ROW
WHEN (OLD.firmware IS NOT NULL OR OLD.region IS NOT NULL OR OLD.network IS NOT NULL OR OLD.labels <> '{}'::jsonb)
EXECUTE FUNCTION linkscope_fleet_reason_hour_move();

-- Index-only reads where a read lists many scattered rows: a day of minute rows for the 24 h series (the primary key
-- lacks count), the active devices of a source / node for the diagnosis' fleet context. The two replaced indexes keep
-- their key columns; the one new index is on device_reason_minute.
DROP INDEX "event_rollup_minute_bucket_idx";
CREATE INDEX "event_rollup_minute_bucket_idx" ON "event_rollup_minute"("bucket") INCLUDE ("kind", "reason", "code", "count");
DROP INDEX "fleet_connected_devices_source_broker_node_idx";
CREATE INDEX "fleet_connected_devices_source_broker_node_idx" ON "fleet_connected_devices"("source", "broker_node") INCLUDE ("device_id", "since");
CREATE INDEX "device_reason_minute_source_broker_node_bucket_idx" ON "device_reason_minute"("source", "broker_node", "bucket") INCLUDE ("device_id");
