-- Periodic jobs run from the pg-boss job queue (decision 027): its `pgboss` schema, created by pg-boss itself, holds
-- one job per queue and due time. Nothing reads the due-time rows of decision 034 any more.
DROP TABLE "periodic_job_runs";
