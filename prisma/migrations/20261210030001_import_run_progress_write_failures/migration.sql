-- Writes of an import run's state that failed (heartbeats, marking it failed), stored with the next write that
-- succeeds so the imports page can say the run's progress could not always be recorded.
ALTER TABLE "import_runs" ADD COLUMN "progress_write_failures" INTEGER NOT NULL DEFAULT 0;
