-- Decision 038: event_rollup_minute summed per hour, kept exact by a row trigger, so fleet reads over days read
-- whole hours here and minutes only at a range's edges. Every change to a minute row (the writer's upserts, shard
-- merges, downsampling in place, expiry) moves its hour by the same amount; the shard is kept, so concurrent writers
-- (each on its own shard, decision 034) never share an hour row either.
CREATE TABLE "event_rollup_hour" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "kind" "EventKind" NOT NULL,
    "reason" "Reason" NOT NULL,
    "code" TEXT NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,
    "shard" SMALLINT NOT NULL DEFAULT 0,

    CONSTRAINT "event_rollup_hour_pkey" PRIMARY KEY ("bucket","kind","reason","code","shard")
);

CREATE FUNCTION linkscope_add_event_rollup_hour(at TIMESTAMPTZ, k "EventKind", r "Reason", c TEXT, s SMALLINT, delta INTEGER)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF delta = 0 THEN RETURN; END IF;
  INSERT INTO event_rollup_hour AS h (bucket, kind, reason, code, count, shard)
  VALUES (date_bin('1 hour', at, TIMESTAMPTZ '1970-01-01 00:00:00+00'), k, r, c, delta, s)
  ON CONFLICT (bucket, kind, reason, code, shard) DO UPDATE SET count = h.count + EXCLUDED.count;
END $$;

CREATE FUNCTION linkscope_event_rollup_hour_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.bucket, OLD.kind, OLD.reason, OLD.code, OLD.shard) = (NEW.bucket, NEW.kind, NEW.reason, NEW.code, NEW.shard) THEN
    PERFORM linkscope_add_event_rollup_hour(NEW.bucket, NEW.kind, NEW.reason, NEW.code, NEW.shard, NEW.count - OLD.count);
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM linkscope_add_event_rollup_hour(OLD.bucket, OLD.kind, OLD.reason, OLD.code, OLD.shard, -OLD.count);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM linkscope_add_event_rollup_hour(NEW.bucket, NEW.kind, NEW.reason, NEW.code, NEW.shard, NEW.count);
  END IF;
  RETURN NULL;
END $$;

INSERT INTO "event_rollup_hour" ("bucket", "kind", "reason", "code", "count", "shard")
SELECT date_bin('1 hour', "bucket", TIMESTAMPTZ '1970-01-01 00:00:00+00'), "kind", "reason", "code", SUM("count")::int, "shard"
FROM "event_rollup_minute" GROUP BY 1, 2, 3, 4, 6;

CREATE TRIGGER event_rollup_hour_sync AFTER INSERT OR UPDATE OR DELETE ON "event_rollup_minute"
FOR EACH ROW EXECUTE FUNCTION linkscope_event_rollup_hour_sync();
