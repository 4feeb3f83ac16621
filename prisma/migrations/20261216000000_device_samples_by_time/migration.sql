-- Decision 069: device samples are deleted by age across devices (RETENTION_DEVICE_SAMPLE_DAYS); without an index on
-- the time alone each retention pass would read the whole table to find them.
CREATE INDEX "device_samples_at_idx" ON "device_samples"("at");
