-- The snapshot each fold read its watermark under (pg_current_snapshot() as text): the next fold re-reads only the
-- ids behind the watermark that snapshot could not see, instead of every event received in the last 2 minutes.
ALTER TABLE "cohort_fold_state" ADD COLUMN "fold_snapshot" TEXT,
ADD COLUMN "rollout_fold_snapshot" TEXT;
