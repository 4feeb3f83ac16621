-- Uploaded files kept in Postgres until their import completes, so any worker can resume an import whose web process
-- died (decision 053). An upload's run is the import_runs row of the same (file_sha256, format): the run may not
-- exist yet when the upload is stored.
CREATE TABLE "import_uploads" (
    "id" BIGSERIAL PRIMARY KEY,
    "file_sha256" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    -- Null while the chunks are being written: such an upload is never resumed.
    "stored_at" TIMESTAMPTZ(3),
    "resume_attempts" INTEGER NOT NULL DEFAULT 0,
    "last_resumed_at" TIMESTAMPTZ(3),
    "last_resume_error" TEXT
);
CREATE INDEX "import_uploads_run_idx" ON "import_uploads" ("file_sha256", "format");
CREATE INDEX "import_uploads_created_at_idx" ON "import_uploads" ("created_at");

CREATE TABLE "import_upload_chunks" (
    "upload_id" BIGINT NOT NULL REFERENCES "import_uploads" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    PRIMARY KEY ("upload_id", "seq")
);
