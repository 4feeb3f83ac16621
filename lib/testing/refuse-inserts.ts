import type { Db } from "@/lib/db/client.ts";

/**
 * Makes Postgres refuse each row inserted into `table` whose `column` is LIKE `pattern`: a stand-in, in tests, for any
 * refusal the writer must survive (a constraint, a value a column cannot hold). `name` names the trigger and its
 * function; all of these are the test's own text, never input.
 */
export async function refuseInsertsWhere(
  db: Db,
  input: { name: string; table: string; column: string; pattern: string; message: string },
): Promise<void> {
  await db.$executeRawUnsafe(`
    CREATE FUNCTION ${input.name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.${input.column} LIKE '${input.pattern}' THEN RAISE EXCEPTION '${input.message}' USING ERRCODE = '22023'; END IF;
      RETURN NEW;
    END $$`);
  await db.$executeRawUnsafe(`CREATE TRIGGER ${input.name} BEFORE INSERT ON ${input.table} FOR EACH ROW EXECUTE FUNCTION ${input.name}()`);
}

/** Undoes `refuseInsertsWhere`: the fix a dead letter is re-processed after. */
export async function allowInsertsAgain(db: Db, input: { name: string; table: string }): Promise<void> {
  await db.$executeRawUnsafe(`DROP TRIGGER ${input.name} ON ${input.table}`);
  await db.$executeRawUnsafe(`DROP FUNCTION ${input.name}()`);
}
