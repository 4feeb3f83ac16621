-- Decision 085: concurrent uploads bounded per uploader and overall, shared by every web process; a lease expires
-- when its process dies without releasing it.
CREATE TABLE "upload_leases" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "upload_leases_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "upload_leases_kind_expires_at_idx" ON "upload_leases"("kind", "expires_at");
