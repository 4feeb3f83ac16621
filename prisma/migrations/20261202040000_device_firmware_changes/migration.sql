-- Cohorts and rollouts (issue 17): when each device's firmware changed.
CREATE TABLE "device_firmware_changes" (
    "id" BIGSERIAL NOT NULL,
    "device_id" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from_firmware" TEXT,
    "to_firmware" TEXT,

    CONSTRAINT "device_firmware_changes_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "device_firmware_changes_device_id_changed_at_idx" ON "device_firmware_changes"("device_id", "changed_at");
CREATE INDEX "device_firmware_changes_to_firmware_changed_at_idx" ON "device_firmware_changes"("to_firmware", "changed_at");

ALTER TABLE "device_firmware_changes" ADD CONSTRAINT "device_firmware_changes_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Firmware is device metadata that any writer may set (a registry sync, an import, an admin script), so the history
-- is kept by the database in the same transaction as the change. Column-specific triggers: the ingest writer never
-- sets firmware, so its per-batch device updates do not fire them.
CREATE FUNCTION record_device_firmware_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device_firmware_changes (device_id, from_firmware, to_firmware)
  VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.firmware END, NEW.firmware);
  RETURN NULL;
END $$;

CREATE TRIGGER devices_firmware_inserted AFTER INSERT ON devices
  FOR EACH ROW WHEN (NEW.firmware IS NOT NULL) EXECUTE FUNCTION record_device_firmware_change();
CREATE TRIGGER devices_firmware_changed AFTER UPDATE OF firmware ON devices
  FOR EACH ROW WHEN (OLD.firmware IS DISTINCT FROM NEW.firmware) EXECUTE FUNCTION record_device_firmware_change();

-- What is known today: each device's current firmware, as a first assignment (not a move) when it was first seen.
INSERT INTO device_firmware_changes (device_id, changed_at, from_firmware, to_firmware)
SELECT id, first_seen_at, NULL, firmware FROM devices WHERE firmware IS NOT NULL;
