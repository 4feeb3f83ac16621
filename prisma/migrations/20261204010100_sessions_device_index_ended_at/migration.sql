-- A device's sessions overlapping a window (rollout periods, per-device cohorts) are found on (device_id, started_at)
-- but filtered on ended_at: carrying ended_at in the index makes that an index-only scan instead of a heap page per
-- session (decision 032). Same key, so every other use of the index is unchanged; ended_at is already indexed, so
-- session updates were not HOT before either.
DROP INDEX "sessions_device_id_started_at_idx";
CREATE INDEX "sessions_device_id_started_at_idx" ON "sessions"("device_id", "started_at" DESC) INCLUDE ("ended_at");
