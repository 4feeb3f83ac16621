-- Decision 075: which input shape of its source an event came from (AWS's lifecycle topic or its CloudWatch log, Event
-- Grid or the Connections log), so the diagnosis can count one moment two feeds logged once. Nullable with no default:
-- a catalog-only change on the partitioned table; events stored before it have no feed and are never merged.
ALTER TABLE "connection_events" ADD COLUMN "feed" TEXT;
