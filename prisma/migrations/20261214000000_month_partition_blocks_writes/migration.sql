-- A month created while writers store rows of that month (late history in the default partition) failed its ATTACH:
-- "updated partition constraint for default partition ... would be violated by some row", and a writer whose row was
-- routed to the default partition before the ATTACH failed after it ("violates partition constraint"; the ingest
-- writer took that for a bad record and dead-lettered it). The function now blocks writes to the table from the move
-- to the end of its transaction.
CREATE OR REPLACE FUNCTION linkscope_ensure_month_partition(parent text, month_start timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  month_local timestamp := date_trunc('month', month_start AT TIME ZONE 'UTC');
  lower_bound timestamptz := month_local AT TIME ZONE 'UTC';
  upper_bound timestamptz := (month_local + interval '1 month') AT TIME ZONE 'UTC';
  child text := parent || '_p' || to_char(month_local, 'YYYYMM');
  key_column text;
BEGIN
  IF to_regclass(quote_ident(child)) IS NOT NULL THEN
    RETURN false;
  END IF;
  SELECT a.attname INTO STRICT key_column
  FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
  WHERE p.partrelid = quote_ident(parent)::regclass;
  EXECUTE format('CREATE TABLE %I (LIKE %I)', child, parent);
  IF to_regclass(quote_ident(parent || '_default')) IS NOT NULL THEN
    -- Writers keep storing rows of this month into the default partition until the ATTACH: the ATTACH then finds a
    -- row the move missed, or an insert routed to the default partition before the ATTACH fails its new constraint
    -- after it. Writes to the table (not reads) wait from here to the end of this transaction; the default
    -- partition is small (months are created ahead), so that is a short wait.
    EXECUTE format('LOCK TABLE %I IN EXCLUSIVE MODE', parent);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
                   parent || '_default', key_column, key_column, child)
      USING lower_bound, upper_bound;
  END IF;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, child, lower_bound, upper_bound);
  RETURN true;
END;
$$;
