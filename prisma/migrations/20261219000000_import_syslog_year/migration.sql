-- Decision 076: the year an import's year-less syslog times are read in when the user states it (`--year`, `?year=`);
-- kept with the run and its stored upload so a resumed import places its lines as the first part did.
ALTER TABLE "import_runs" ADD COLUMN "syslog_year" INTEGER;
ALTER TABLE "import_uploads" ADD COLUMN "syslog_year" INTEGER;
