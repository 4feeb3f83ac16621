-- devices.first_seen_at held the time the device was first ingested; it is now its earliest event's time.
UPDATE "devices" d
SET "first_seen_at" = e.first_event
FROM (SELECT "device_id", min("occurred_at") AS first_event FROM "connection_events" GROUP BY "device_id") e
WHERE e."device_id" = d."id" AND e.first_event < d."first_seen_at";
