-- /api/health reports each source: when it last committed, since when it has been failing, and its backlog.
ALTER TABLE "worker_status" ADD COLUMN "source" TEXT;
ALTER TABLE "worker_status" ADD COLUMN "last_commit_at" TIMESTAMPTZ(3);
ALTER TABLE "worker_status" ADD COLUMN "failing_since" TIMESTAMPTZ(3);
ALTER TABLE "worker_status" ADD COLUMN "last_error" TEXT;
ALTER TABLE "worker_status" ADD COLUMN "backlog" INTEGER NOT NULL DEFAULT 0;
