import { withPgClient } from "@/lib/db/pg-client.ts";
import { z } from "zod";

/*
 * Compares a live Postgres catalog with what `prisma migrate` would create from a schema.prisma: tables,
 * columns (type, nullability, presence of a database default), enums, primary keys, unique and plain
 * indexes (column order, DESC, method) and foreign keys (ON DELETE / ON UPDATE). Default values themselves,
 * check constraints, views and other schemas are not compared.
 */

const MIGRATIONS_TABLE = "_prisma_migrations";
const MAX_IDENTIFIER_LENGTH = 63;

// ---------------------------------------------------------------------------------------------------------
// Prisma side (DMMF from @prisma/prisma-schema-wasm)

const dmmfFieldSchema = z.object({
  name: z.string(),
  dbName: z.string().nullish(),
  kind: z.enum(["scalar", "object", "enum", "unsupported"]),
  isList: z.boolean(),
  isRequired: z.boolean(),
  hasDefaultValue: z.boolean(),
  type: z.string(),
  nativeType: z.tuple([z.string(), z.array(z.string())]).nullish(),
  default: z.unknown().optional(),
  relationFromFields: z.array(z.string()).optional(),
  relationToFields: z.array(z.string()).optional(),
  relationOnDelete: z.string().optional(),
  relationOnUpdate: z.string().optional(),
});
type DmmfField = z.infer<typeof dmmfFieldSchema>;

const dmmfSchema = z.object({
  datamodel: z.object({
    models: z.array(z.object({ name: z.string(), dbName: z.string().nullish(), fields: z.array(dmmfFieldSchema) })),
    enums: z.array(
      z.object({
        name: z.string(),
        dbName: z.string().nullish(),
        values: z.array(z.object({ name: z.string(), dbName: z.string().nullish() })),
      }),
    ),
    indexes: z.array(
      z.object({
        model: z.string(),
        type: z.enum(["id", "unique", "normal", "fulltext"]),
        dbName: z.string().nullish(),
        algorithm: z.string().optional(),
        fields: z.array(z.object({ name: z.string(), sortOrder: z.enum(["asc", "desc"]).optional() })),
      }),
    ),
  }),
});
type Dmmf = z.infer<typeof dmmfSchema>;

type IndexKind = "primary key" | "unique index" | "index";
type IndexShape = { table: string; name: string; nameIsExplicit: boolean; kind: IndexKind; columns: string[]; method: string };
type ForeignKeyShape = {
  table: string;
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
};
type ColumnShape = { name: string; type: string; nullable: boolean; defaultKind: "none" | "some" | "autoincrement"; label: string };
type TableShape = { name: string; label: string; columns: ColumnShape[] };
type SchemaShape = { tables: TableShape[]; enums: Map<string, string[]>; indexes: IndexShape[]; foreignKeys: ForeignKeyShape[] };

/** DMMF of a schema.prisma text; throws with Prisma's validation message when the schema is invalid. */
async function loadDmmf(schemaText: string): Promise<Dmmf> {
  installWasmPanicRegistry();
  const { get_dmmf } = await import("@prisma/prisma-schema-wasm");
  let json: string;
  try {
    json = get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schemaText]] }));
  } catch (error) {
    throw new Error(`Invalid Prisma schema: ${describeWasmError(error)}`);
  }
  return dmmfSchema.parse(JSON.parse(json));
}

/**
 * Human-readable differences between the database at `databaseUrl` (its current schema, normally `public`)
 * and the tables `schemaText` describes; empty when they match.
 */
export async function diffDatabaseAgainstSchema(databaseUrl: string, schemaText: string): Promise<string[]> {
  const expected = buildExpectedShape(await loadDmmf(schemaText));
  const actual = await readDatabaseShape(databaseUrl);
  const expectedTables = new Set(expected.tables.map((table) => table.name));
  return [
    ...diffTables(expected, actual),
    ...diffEnums(expected.enums, actual.enums),
    // Indexes and foreign keys of extra tables would only repeat "extra table".
    ...diffIndexes(
      expected.indexes,
      actual.indexes.filter((index) => expectedTables.has(index.table)),
    ),
    ...diffForeignKeys(
      expected.foreignKeys,
      actual.foreignKeys.filter((fk) => expectedTables.has(fk.table)),
    ),
  ];
}

function buildExpectedShape(dmmf: Dmmf): SchemaShape {
  const { models, enums, indexes } = dmmf.datamodel;
  const enumDbNames = new Map(enums.map((e) => [e.name, e.dbName ?? e.name]));
  const modelByName = new Map(models.map((model) => [model.name, model]));
  const tableName = (modelName: string): string => {
    const model = modelByName.get(modelName);
    return model?.dbName ?? modelName;
  };
  const columnName = (modelName: string, fieldName: string): string => {
    const field = modelByName.get(modelName)?.fields.find((f) => f.name === fieldName);
    return field?.dbName ?? fieldName;
  };

  const tables: TableShape[] = models.map((model) => ({
    name: model.dbName ?? model.name,
    label: `model ${model.name}`,
    columns: model.fields
      .filter((field) => field.kind !== "object")
      .map((field) => ({
        name: field.dbName ?? field.name,
        label: `${model.name}.${field.name}`,
        type: expectedColumnType(field, enumDbNames),
        // Prisma never emits NOT NULL for scalar lists.
        nullable: !field.isRequired || field.isList,
        defaultKind: expectedDefaultKind(field),
      })),
  }));

  const expectedEnums = new Map(enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));

  const expectedIndexes: IndexShape[] = indexes
    .filter((index) => index.type !== "fulltext")
    .map((index) => {
      const table = tableName(index.model);
      const columnNames = index.fields.map((f) => columnName(index.model, f.name));
      const kind: IndexKind = index.type === "id" ? "primary key" : index.type === "unique" ? "unique index" : "index";
      const suffix = index.type === "id" ? "pkey" : index.type === "unique" ? "key" : "idx";
      const defaultName = index.type === "id" ? `${table}_pkey` : `${table}_${columnNames.join("_")}_${suffix}`;
      return {
        table,
        kind,
        name: index.dbName ?? defaultName,
        nameIsExplicit: Boolean(index.dbName),
        columns: index.fields.map((f, i) => `${columnNames[i]}${f.sortOrder === "desc" ? " DESC" : ""}`),
        method: (index.algorithm ?? "BTree").toLowerCase(),
      };
    });

  const foreignKeys: ForeignKeyShape[] = models.flatMap((model) =>
    model.fields
      .filter((field) => field.kind === "object" && (field.relationFromFields?.length ?? 0) > 0)
      .map((field) => {
        const fromFields = field.relationFromFields ?? [];
        const table = model.dbName ?? model.name;
        const columns = fromFields.map((name) => columnName(model.name, name));
        const allRequired = fromFields.every((name) => model.fields.find((f) => f.name === name)?.isRequired ?? false);
        return {
          table,
          name: `${table}_${columns.join("_")}_fkey`,
          columns,
          refTable: tableName(field.type),
          refColumns: (field.relationToFields ?? []).map((name) => columnName(field.type, name)),
          // Prisma's defaults for the foreignKeys relation mode.
          onDelete: referentialAction(field.relationOnDelete ?? (allRequired ? "Restrict" : "SetNull")),
          onUpdate: referentialAction(field.relationOnUpdate ?? "Cascade"),
        };
      }),
  );

  return { tables, enums: expectedEnums, indexes: expectedIndexes, foreignKeys };
}

/** The Postgres type as `format_type()` prints it (enums as `enum <name>`), per Prisma's PostgreSQL mapping. */
function expectedColumnType(field: DmmfField, enumDbNames: Map<string, string>): string {
  const list = field.isList ? "[]" : "";
  if (field.kind === "enum") return `enum ${enumDbNames.get(field.type) ?? field.type}${list}`;
  if (field.kind === "unsupported") return `unsupported ${field.type}`;
  const [native, args = []] = field.nativeType ?? [undefined, []];
  const withArgs = (base: string, fallback = ""): string => (args.length > 0 ? `${base}(${args.join(",")})` : `${base}${fallback}`);
  const timeType = (base: "timestamp" | "time", zone: boolean): string => {
    const precision = args.length > 0 ? `(${args[0]})` : "";
    return `${base}${precision} with${zone ? "" : "out"} time zone`;
  };

  const base = ((): string => {
    switch (field.type) {
      case "String":
        switch (native) {
          case "VarChar":
            return withArgs("character varying");
          case "Char":
            return withArgs("character", "(1)");
          case "Uuid":
            return "uuid";
          case "Inet":
            return "inet";
          case "Citext":
            return "citext";
          case "Xml":
            return "xml";
          case "Bit":
            return withArgs("bit", "(1)");
          case "VarBit":
            return withArgs("bit varying");
          default:
            return "text";
        }
      case "Int":
        return native === "SmallInt" ? "smallint" : native === "Oid" ? "oid" : "integer";
      case "BigInt":
        return "bigint";
      case "Float":
        return native === "Real" ? "real" : "double precision";
      case "Decimal":
        return native === "Money" ? "money" : args.length > 0 ? withArgs("numeric") : "numeric(65,30)";
      case "Boolean":
        return "boolean";
      case "DateTime":
        switch (native) {
          case "Timestamptz":
            return timeType("timestamp", true);
          case "Timestamp":
            return timeType("timestamp", false);
          case "Date":
            return "date";
          case "Time":
            return timeType("time", false);
          case "Timetz":
            return timeType("time", true);
          default:
            return "timestamp(3) without time zone";
        }
      case "Json":
        return native === "Json" ? "json" : "jsonb";
      case "Bytes":
        return "bytea";
      default:
        return field.type;
    }
  })();
  return `${base}${list}`;
}

function expectedDefaultKind(field: DmmfField): ColumnShape["defaultKind"] {
  if (!field.hasDefaultValue) return "none";
  const fn = z.object({ name: z.string() }).safeParse(field.default);
  if (!fn.success) return "some"; // literal value
  if (fn.data.name === "autoincrement") return "autoincrement";
  // Generated by Prisma Client, not by the database.
  if (["uuid", "cuid", "nanoid", "ulid"].includes(fn.data.name)) return "none";
  return "some";
}

function referentialAction(action: string): string {
  const actions: Record<string, string> = {
    Cascade: "CASCADE",
    Restrict: "RESTRICT",
    NoAction: "NO ACTION",
    SetNull: "SET NULL",
    SetDefault: "SET DEFAULT",
  };
  return actions[action] ?? action.toUpperCase();
}

// ---------------------------------------------------------------------------------------------------------
// Database side

const columnRowSchema = z.object({
  table_name: z.string(),
  column_name: z.string(),
  type: z.string(),
  nullable: z.boolean(),
  default_expr: z.string().nullable(),
  is_identity: z.boolean(),
});
const enumRowSchema = z.object({ name: z.string(), labels: z.array(z.string()) });
const indexRowSchema = z.object({
  name: z.string(),
  table_name: z.string(),
  is_primary: z.boolean(),
  is_unique: z.boolean(),
  is_partial: z.boolean(),
  method: z.string(),
  columns: z.array(z.object({ column: z.string().nullable(), expr: z.string(), desc: z.boolean() })),
});
const foreignKeyRowSchema = z.object({
  name: z.string(),
  table_name: z.string(),
  ref_table: z.string(),
  columns: z.array(z.string()),
  ref_columns: z.array(z.string()),
  on_delete: z.string(),
  on_update: z.string(),
});

type ActualColumn = { name: string; type: string; nullable: boolean; defaultExpr: string | null; isIdentity: boolean };
type DatabaseShape = {
  tables: Map<string, ActualColumn[]>;
  enums: Map<string, string[]>;
  indexes: (IndexShape & { isPartial: boolean })[];
  foreignKeys: ForeignKeyShape[];
};

// Only relations (r) and partitioned tables (p) of the current schema, without their partitions (which Prisma does
// not model: they repeat the parent's columns, indexes and foreign keys, decision 026); `::text` everywhere so pg
// returns plain strings for `name` and `"char"` columns.
const COLUMNS_SQL = `
SELECT c.relname::text AS table_name, a.attname::text AS column_name,
       CASE WHEN et.typtype = 'e' THEN 'enum ' || et.typname::text || CASE WHEN t.typcategory = 'A' THEN '[]' ELSE '' END
            ELSE format_type(a.atttypid, a.atttypmod) END AS type,
       NOT a.attnotnull AS nullable,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       a.attidentity::text <> '' AS is_identity
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`;

const ENUMS_SQL = `
SELECT t.typname::text AS name, json_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = current_schema()
GROUP BY t.typname`;

const INDEXES_SQL = `
SELECT i.relname::text AS name, c.relname::text AS table_name, ix.indisprimary AS is_primary, ix.indisunique AS is_unique,
       ix.indpred IS NOT NULL AS is_partial, am.amname::text AS method,
       (SELECT json_agg(json_build_object(
                 'column', a.attname::text,
                 'expr', pg_get_indexdef(ix.indexrelid, k.ord::int, true),
                 'desc', (ix.indoption[k.ord - 1] & 1) = 1) ORDER BY k.ord)
          FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
          LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
         WHERE k.ord <= ix.indnkeyatts) AS columns
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = i.relam
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname, i.relname`;

const FOREIGN_KEYS_SQL = `
SELECT con.conname::text AS name, c.relname::text AS table_name, rc.relname::text AS ref_table,
       (SELECT json_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
       (SELECT json_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_columns,
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class rc ON rc.oid = con.confrelid
WHERE con.contype = 'f' AND n.nspname = current_schema() AND NOT c.relispartition AND con.conparentid = 0
ORDER BY c.relname, con.conname`;

function readDatabaseShape(databaseUrl: string): Promise<DatabaseShape> {
  return withPgClient(databaseUrl, async (client) => {
    // Sequential: one connection, and the PGlite socket server serialises anyway.
    const columns = z.array(columnRowSchema).parse((await client.query(COLUMNS_SQL)).rows);
    const enums = z.array(enumRowSchema).parse((await client.query(ENUMS_SQL)).rows);
    const indexes = z.array(indexRowSchema).parse((await client.query(INDEXES_SQL)).rows);
    const foreignKeys = z.array(foreignKeyRowSchema).parse((await client.query(FOREIGN_KEYS_SQL)).rows);

    const tables = new Map<string, ActualColumn[]>();
    for (const row of columns) {
      if (row.table_name === MIGRATIONS_TABLE) continue;
      const list = tables.get(row.table_name) ?? [];
      list.push({
        name: row.column_name,
        type: row.type,
        nullable: row.nullable,
        defaultExpr: row.default_expr,
        isIdentity: row.is_identity,
      });
      tables.set(row.table_name, list);
    }
    const confAction: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };
    return {
      tables,
      enums: new Map(enums.map((row) => [row.name, row.labels])),
      indexes: indexes
        .filter((row) => row.table_name !== MIGRATIONS_TABLE)
        .map((row) => ({
          table: row.table_name,
          name: row.name,
          nameIsExplicit: true,
          kind: row.is_primary ? "primary key" : row.is_unique ? "unique index" : "index",
          columns: row.columns.map((col) => `${col.column ?? `(${col.expr})`}${col.desc ? " DESC" : ""}`),
          method: row.method,
          isPartial: row.is_partial,
        })),
      foreignKeys: foreignKeys.map((row) => ({
        table: row.table_name,
        name: row.name,
        columns: row.columns,
        refTable: row.ref_table,
        refColumns: row.ref_columns,
        onDelete: confAction[row.on_delete] ?? row.on_delete,
        onUpdate: confAction[row.on_update] ?? row.on_update,
      })),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Comparison

function diffTables(expected: SchemaShape, actual: DatabaseShape): string[] {
  const diffs: string[] = [];
  const expectedNames = new Set(expected.tables.map((t) => t.name));
  for (const table of expected.tables) {
    const actualColumns = actual.tables.get(table.name);
    if (!actualColumns) {
      diffs.push(`missing table "${table.name}" (${table.label})`);
      continue;
    }
    const actualByName = new Map(actualColumns.map((c) => [c.name, c]));
    for (const column of table.columns) {
      const found = actualByName.get(column.name);
      const where = `column "${table.name}"."${column.name}" (${column.label})`;
      if (!found) {
        diffs.push(`missing ${where}`);
        continue;
      }
      if (found.type !== column.type) diffs.push(`${where}: type is ${found.type} in the database, schema expects ${column.type}`);
      if (found.nullable !== column.nullable) {
        diffs.push(
          `${where}: ${found.nullable ? "nullable" : "NOT NULL"} in the database, schema expects ${column.nullable ? "nullable" : "NOT NULL"}`,
        );
      }
      diffs.push(...diffColumnDefault(where, column, found));
    }
    const expectedColumns = new Set(table.columns.map((c) => c.name));
    for (const column of actualColumns) {
      if (!expectedColumns.has(column.name))
        diffs.push(`extra column "${table.name}"."${column.name}" (${column.type}) in the database, not in the schema`);
    }
  }
  for (const name of actual.tables.keys()) {
    if (!expectedNames.has(name)) diffs.push(`extra table "${name}" in the database, not in the schema`);
  }
  return diffs;
}

function diffColumnDefault(where: string, column: ColumnShape, found: ActualColumn): string[] {
  const isSequence = found.isIdentity || (found.defaultExpr?.startsWith("nextval(") ?? false);
  const hasDefault = found.isIdentity || found.defaultExpr !== null;
  if (column.defaultKind === "autoincrement" && !isSequence) {
    return [`${where}: schema expects @default(autoincrement()) (a sequence), database default is ${found.defaultExpr ?? "none"}`];
  }
  if (column.defaultKind === "some" && !hasDefault) return [`${where}: schema declares a database default, the database has none`];
  if (column.defaultKind === "none" && hasDefault) {
    return [`${where}: database has DEFAULT ${found.isIdentity ? "(identity)" : found.defaultExpr}, schema declares no database default`];
  }
  return [];
}

function diffEnums(expected: Map<string, string[]>, actual: Map<string, string[]>): string[] {
  const diffs: string[] = [];
  for (const [name, values] of expected) {
    const found = actual.get(name);
    if (!found) diffs.push(`missing enum "${name}" (${values.join(", ")})`);
    else if (found.join("\u0000") !== values.join("\u0000")) {
      const missing = values.filter((v) => !found.includes(v));
      const extra = found.filter((v) => !values.includes(v));
      const problems = [
        ...(missing.length > 0 ? [`missing value(s) ${missing.join(", ")}`] : []),
        ...(extra.length > 0 ? [`extra value(s) ${extra.join(", ")} in the database`] : []),
      ];
      if (problems.length === 0)
        problems.push(`values in order (${found.join(", ")}) in the database, schema expects (${values.join(", ")})`);
      diffs.push(`enum "${name}": ${problems.join("; ")}`);
    }
  }
  for (const [name, values] of actual) {
    if (!expected.has(name)) diffs.push(`extra enum "${name}" (${values.join(", ")}) in the database, not in the schema`);
  }
  return diffs;
}

function describeIndex(index: Pick<IndexShape, "kind" | "columns" | "method">): string {
  return `${index.kind.toUpperCase()} (${index.columns.join(", ")})${index.method === "btree" ? "" : ` USING ${index.method}`}`;
}

function diffIndexes(expected: IndexShape[], actual: (IndexShape & { isPartial: boolean })[]): string[] {
  const diffs: string[] = [];
  const unmatched = [...actual];
  const sameShape = (a: IndexShape, b: IndexShape & { isPartial: boolean }): boolean =>
    a.table === b.table && a.kind === b.kind && a.method === b.method && !b.isPartial && a.columns.join(",") === b.columns.join(",");

  for (const index of expected) {
    const matchIndex = unmatched.findIndex((candidate) => sameShape(index, candidate));
    if (matchIndex >= 0) {
      const [match] = unmatched.splice(matchIndex, 1);
      // Prisma truncates long default names in its own way; compare names only where that cannot apply.
      const comparable = index.nameIsExplicit || index.name.length <= MAX_IDENTIFIER_LENGTH;
      if (match && comparable && match.name !== index.name) {
        diffs.push(
          `${index.kind} on "${index.table}" ${describeIndex(index)} is named "${match.name}" in the database, schema expects "${index.name}"`,
        );
      }
      continue;
    }
    const sameName = unmatched.findIndex((candidate) => candidate.table === index.table && candidate.name === index.name);
    if (sameName >= 0) {
      const [other] = unmatched.splice(sameName, 1);
      if (other) {
        diffs.push(
          `index "${index.name}" on "${index.table}": database has ${describeIndex(other)}${other.isPartial ? " (partial)" : ""}, schema expects ${describeIndex(index)}`,
        );
      }
      continue;
    }
    diffs.push(`missing ${index.kind} "${index.name}" on "${index.table}" ${describeIndex(index)}`);
  }
  for (const index of unmatched) {
    diffs.push(
      `extra ${index.kind} "${index.name}" on "${index.table}" ${describeIndex(index)}${index.isPartial ? " (partial)" : ""} in the database, not in the schema`,
    );
  }
  return diffs;
}

function describeForeignKey(fk: ForeignKeyShape): string {
  return `"${fk.table}"(${fk.columns.join(", ")}) -> "${fk.refTable}"(${fk.refColumns.join(", ")})`;
}

function diffForeignKeys(expected: ForeignKeyShape[], actual: ForeignKeyShape[]): string[] {
  const diffs: string[] = [];
  const unmatched = [...actual];
  const key = (fk: ForeignKeyShape): string => [fk.table, fk.columns.join(","), fk.refTable, fk.refColumns.join(",")].join("|");
  for (const fk of expected) {
    const matchIndex = unmatched.findIndex((candidate) => key(candidate) === key(fk));
    const [match] = matchIndex >= 0 ? unmatched.splice(matchIndex, 1) : [];
    if (!match) {
      diffs.push(`missing foreign key "${fk.name}" ${describeForeignKey(fk)} ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`);
      continue;
    }
    if (match.onDelete !== fk.onDelete)
      diffs.push(
        `foreign key "${match.name}" ${describeForeignKey(fk)}: ON DELETE ${match.onDelete} in the database, schema expects ON DELETE ${fk.onDelete}`,
      );
    if (match.onUpdate !== fk.onUpdate)
      diffs.push(
        `foreign key "${match.name}" ${describeForeignKey(fk)}: ON UPDATE ${match.onUpdate} in the database, schema expects ON UPDATE ${fk.onUpdate}`,
      );
  }
  for (const fk of unmatched) {
    diffs.push(`extra foreign key "${fk.name}" ${describeForeignKey(fk)} ON DELETE ${fk.onDelete} in the database, not in the schema`);
  }
  return diffs;
}

// ---------------------------------------------------------------------------------------------------------
// Wasm plumbing

type PanicRegistry = { set_message(message: string): void };
let lastWasmPanic = "";

/** The wasm bindings report panics through this global; without it a panic surfaces as a TypeError. */
function installWasmPanicRegistry(): void {
  const holder = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  holder.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message: (value: string) => {
      lastWasmPanic = value;
    },
  };
}

function describeWasmError(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  if (error instanceof WebAssembly.RuntimeError && lastWasmPanic) return `prisma-schema-wasm panicked: ${lastWasmPanic}`;
  // get_dmmf reports {"error_code":"P1012","message":"<ANSI-coloured text>"}.
  const parsed = z.object({ message: z.string() }).safeParse(safeJsonParse(raw));
  const text = parsed.success ? parsed.data.message : raw;
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
