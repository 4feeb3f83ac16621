-- Dead letters of an uploaded or CLI import point at their import run, so support can discard a bad import's rejects.
ALTER TABLE "dead_letters" ADD COLUMN "import_run_id" BIGINT;
CREATE INDEX "dead_letters_import_run_id_idx" ON "dead_letters"("import_run_id");
