-- Decision 055: the newest device_reason_minute bucket of each device per source and broker node, so the diagnosis
-- counts a scope's devices active in its window from one row per device instead of every minute row of the window
-- (126,652 rows at 10M events for one scope). Kept exact by statement triggers on device_reason_minute: inserts raise
-- it; a delete (or an update moving a key) of a device's newest row recounts that device from its index. A dropped
-- month partition fires nothing: the retention pass recounts the rows it left pointing at expired months.
CREATE TABLE "device_reason_latest" (
    "source" TEXT NOT NULL,
    "broker_node" TEXT NOT NULL DEFAULT '',
    "device_id" TEXT NOT NULL,
    "last_bucket" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "device_reason_latest_pkey" PRIMARY KEY ("source","broker_node","device_id")
);

-- INCLUDE (device_id): the diagnosis' count is an index-only range scan.
CREATE INDEX "device_reason_latest_source_broker_node_last_bucket_idx" ON "device_reason_latest"("source", "broker_node", "last_bucket") INCLUDE ("device_id");

-- Raises each (source, node, device)'s newest bucket to the newest of the rows given; never lowers it.
CREATE FUNCTION linkscope_raise_device_reason_latest(changed device_reason_minute[])
RETURNS void LANGUAGE sql AS $$
  INSERT INTO device_reason_latest AS l (source, broker_node, device_id, last_bucket)
  SELECT c.source, c.broker_node, c.device_id, MAX(c.bucket) FROM unnest(changed) c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (source, broker_node, device_id) DO UPDATE SET last_bucket = EXCLUDED.last_bucket
  WHERE l.last_bucket < EXCLUDED.last_bucket
$$;

-- Recounts the given devices' newest bucket per scope from device_reason_minute (its (device_id, bucket) index):
-- lowered where the newest row went, removed where none is left. `stale` holds the buckets that went; a row a writer
-- raised past them meanwhile is left alone (its raise is newer than anything this recount could read).
CREATE FUNCTION linkscope_recount_device_reason_latest(stale device_reason_latest[])
RETURNS void LANGUAGE sql AS $$
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
    AND l.last_bucket <= n.gone AND l.last_bucket <> n.last_bucket
$$;

-- The writer's upserts update counts only (keys unchanged: nothing to do); downsampling deletes minute rows and
-- inserts their hour, both in one statement, so the recount sees the hour row already.
CREATE FUNCTION linkscope_device_reason_latest_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM linkscope_recount_device_reason_latest(ARRAY(
      SELECT ROW(o.source, o.broker_node, o.device_id, o.bucket)::device_reason_latest FROM old_rows o
      JOIN device_reason_latest l ON l.source = o.source AND l.broker_node = o.broker_node AND l.device_id = o.device_id
      WHERE o.bucket >= l.last_bucket));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM linkscope_recount_device_reason_latest(ARRAY(
      SELECT ROW(o.source, o.broker_node, o.device_id, o.bucket)::device_reason_latest FROM old_rows o
      WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.source = o.source AND n.broker_node = o.broker_node
                          AND n.device_id = o.device_id AND n.bucket = o.bucket)));
    PERFORM linkscope_raise_device_reason_latest(ARRAY(
      SELECT n::device_reason_minute FROM new_rows n
      WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.source = n.source AND o.broker_node = n.broker_node
                          AND o.device_id = n.device_id AND o.bucket = n.bucket)));
  ELSE
    PERFORM linkscope_raise_device_reason_latest(ARRAY(SELECT n::device_reason_minute FROM new_rows n));
  END IF;
  RETURN NULL;
END $$;

INSERT INTO "device_reason_latest" ("source", "broker_node", "device_id", "last_bucket")
SELECT "source", "broker_node", "device_id", MAX("bucket") FROM "device_reason_minute" GROUP BY 1, 2, 3;

CREATE TRIGGER device_reason_latest_insert AFTER INSERT ON "device_reason_minute"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION linkscope_device_reason_latest_sync();
CREATE TRIGGER device_reason_latest_update AFTER UPDATE ON "device_reason_minute"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION linkscope_device_reason_latest_sync();
CREATE TRIGGER device_reason_latest_delete AFTER DELETE ON "device_reason_minute"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION linkscope_device_reason_latest_sync();
