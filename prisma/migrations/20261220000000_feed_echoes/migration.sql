-- Decision 080: one moment two feeds of a platform logged drives sessions, device state and rollups once. Each device
-- remembers the feeds that reported it (only a device two feeds report is checked for echoes), and an echo names the
-- stored record it repeats. Both catalog-only: no default to write into existing rows of the partitioned table, and a
-- constant default on devices.
ALTER TABLE "connection_events" ADD COLUMN "echo_of" BIGINT;
ALTER TABLE "devices" ADD COLUMN "feeds" TEXT[] DEFAULT ARRAY[]::TEXT[];
