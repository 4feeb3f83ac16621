-- Rate limits shared by every web process (issue 13): one fixed-window counter per limiter and key.
CREATE TABLE "rate_limit_counters" (
    "limiter" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_counters_pkey" PRIMARY KEY ("limiter","key")
);

CREATE INDEX "rate_limit_counters_expires_at_idx" ON "rate_limit_counters"("expires_at");
