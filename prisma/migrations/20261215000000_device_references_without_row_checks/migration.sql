-- Decision 061: connection_events and sessions name their device without a foreign key. The key checked every
-- inserted event and session against devices, one locking lookup per row (≈ 9 µs of Postgres CPU per stored event,
-- a tenth of the writer's), while the writer already inserts a batch's missing devices in the very statement that
-- inserts its events. What the key's cascades did, triggers on devices do: a deleted device takes its events and
-- sessions with it, a renamed one keeps them.
ALTER TABLE "connection_events" DROP CONSTRAINT "connection_events_device_id_fkey";
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_device_id_fkey";

CREATE FUNCTION linkscope_delete_device_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM connection_events e USING gone_devices g WHERE e.device_id = g.id;
  DELETE FROM sessions s USING gone_devices g WHERE s.device_id = g.id;
  RETURN NULL;
END $$;

CREATE TRIGGER devices_delete_history AFTER DELETE ON devices
  REFERENCING OLD TABLE AS gone_devices FOR EACH STATEMENT EXECUTE FUNCTION linkscope_delete_device_history();

-- Per row: a statement trigger's transition tables cannot pair an old ID with its new one.
CREATE FUNCTION linkscope_rename_device_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE connection_events SET device_id = NEW.id WHERE device_id = OLD.id;
  UPDATE sessions SET device_id = NEW.id WHERE device_id = OLD.id;
  RETURN NULL;
END $$;

CREATE TRIGGER devices_rename_history AFTER UPDATE OF id ON devices
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION linkscope_rename_device_history();
