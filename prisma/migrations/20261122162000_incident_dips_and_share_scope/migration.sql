-- A new trigger for connected-device dips. ADD VALUE runs inside the runner's transaction on Postgres >= 12
-- (and PGlite); the new value may only be used after this migration commits, so nothing below mentions it.
ALTER TYPE "IncidentTrigger" ADD VALUE IF NOT EXISTS 'connected_dip';

-- The connected-device count of the incident's scope: the level before the dip, the lowest seen, when the dip
-- was seen and when the count recovered. Set on connected_dip incidents and on mass_drop incidents a dip attached to.
ALTER TABLE "incidents" ADD COLUMN "connected_baseline" INTEGER,
ADD COLUMN "connected_low" INTEGER,
ADD COLUMN "connected_dip_at" TIMESTAMPTZ(3),
ADD COLUMN "connected_recovered_at" TIMESTAMPTZ(3);

-- A share link scopes either one device over a window or one incident, never both.
ALTER TABLE "share_links" ALTER COLUMN "device_id" DROP NOT NULL,
ALTER COLUMN "window_from" DROP NOT NULL,
ALTER COLUMN "window_to" DROP NOT NULL,
ADD COLUMN "incident_id" TEXT;

ALTER TABLE "share_links" ADD CONSTRAINT "share_links_one_scope" CHECK (
    ("device_id" IS NOT NULL AND "window_from" IS NOT NULL AND "window_to" IS NOT NULL AND "incident_id" IS NULL)
    OR ("incident_id" IS NOT NULL AND "device_id" IS NULL AND "window_from" IS NULL AND "window_to" IS NULL)
);

-- CreateIndex
CREATE INDEX "share_links_incident_id_created_at_idx" ON "share_links"("incident_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "share_links" ADD CONSTRAINT "share_links_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
