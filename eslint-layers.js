/**
 * The direction of imports, enforced by `no-restricted-imports` (docs/decisions/030-layers-and-their-lint.md):
 *
 *   app/, components/  →  lib/http  →  lib/<domain>  →  lib/db, lib/errors, lib/validation, lib/time, lib/log …
 *   worker/            →  lib/<domain> (plain Node: no Next, no lib/http)
 *   demo/, scripts/, e2e/, tests  →  anything they need; nothing in the product imports them
 *
 * Flat config does not merge one rule's options across config objects (the last match wins), so every file gets
 * exactly one `no-restricted-imports` entry, built here from the layers its path belongs to. Tests and test
 * infrastructure are exempt: they assemble layers on purpose.
 */

const TESTS = ["**/*.test.ts", "**/*.test.tsx", "lib/testing/**", "e2e/**"];

const rule = (group, message) => ({ group, message });
/** Re-allows one lib/ folder inside an `@/lib/*` ban (gitignore semantics: the folder itself must be re-included). */
const allow = (...names) => names.flatMap((name) => [`!@/lib/${name}`, `!@/lib/${name}/*`]);

const NOT_ABOVE_LIB = [
  rule(["@/app/*", "@/components/*"], "lib/ is below the pages and routes: move what both need into lib/, or pass it in."),
  rule(["@/worker/*", "@/scripts/*"], "lib/ is below the entry points (worker/, scripts/): move the shared code into lib/."),
];
const NOT_DEMO = [
  rule(["@/demo/*"], "Product code runs without the demo (demo/README.md): the demo may import the product, never the reverse."),
];
const NOT_TEST_INFRA = [rule(["@/lib/testing/*"], "lib/testing is test infrastructure; product code must not load it.")];
const NOT_HTTP = [
  rule(
    ["@/lib/http/*"],
    "Domain modules know nothing of HTTP: throw a domain error (lib/errors/domain-errors.ts); lib/http maps it to a status.",
  ),
];
const NO_CROSS_FOLDER_RELATIVE = [rule(["../../*"], "Import across folders with the @/ alias, so the layer rules can see the arrow.")];
const NOT_NEXT = [
  rule(
    ["next", "next/*", "next-auth", "next-auth/*", "react", "react-dom", "react-dom/*", "server-only"],
    "The worker is plain Node (STYLE.md rule 2): no Next, React or server-only imports.",
  ),
  rule(["@/lib/http/*"], "The worker calls domain verbs directly; lib/http is the web server's layer."),
];
const DB_ONLY_BELOW = [rule(["@/lib/*", ...allow("db", "log")], "lib/db is the bottom layer: it may use lib/log, never a domain module.")];
const LEAF = (self) => [rule(["@/lib/*", ...allow(self)], `lib/${self} is a leaf every layer uses; it imports no other lib/ module.`)];
const JOBS_BELOW_DOMAIN = [
  rule(
    ["@/lib/*", ...allow("jobs", "log", "db", "time", "errors")],
    "lib/jobs holds the scheduling helpers the domain jobs use; it must not import a domain module back.",
  ),
];

const restrict = (files, patterns, ignores = []) => ({
  files,
  ignores: [...TESTS, ...ignores],
  rules: { "no-restricted-imports": ["error", { patterns }] },
});

const LIB_BASE = [...NOT_ABOVE_LIB, ...NOT_DEMO, ...NOT_TEST_INFRA, ...NO_CROSS_FOLDER_RELATIVE];
const LEAF_FOLDERS = ["errors", "json", "time"];
const SPECIAL_LIB = ["http", "db", "jobs", ...LEAF_FOLDERS].map((name) => `lib/${name}/**`);

/** Prisma's query methods: a route, page or component calls a lib/ verb instead (STYLE.md rule 1). */
const INLINE_PRISMA = {
  selector:
    "CallExpression[callee.property.name=/^(findMany|findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|upsert|aggregate|groupBy|createMany|updateMany|deleteMany|\\$queryRaw|\\$queryRawUnsafe|\\$executeRaw|\\$executeRawUnsafe|\\$transaction)$/]",
  message: "No Prisma calls in routes, pages, components or the worker entry: put the query in a lib/<domain> module.",
};

/** A row type on a raw query is a cast, not a check: rows go through queryRows and a zod schema (decision 033). */
const RAW_ROW_CAST = {
  selector:
    ":matches(TaggedTemplateExpression[tag.property.name=/^\\$queryRaw/], CallExpression[callee.property.name=/^\\$queryRaw/])[typeArguments]",
  message:
    "Parse raw SQL rows with queryRows(db, name, RowSchema, Prisma.sql`…`) from lib/db/query-rows.ts instead of a $queryRaw<Row[]> cast.",
};

export const layerConfigs = [
  restrict(["lib/**/*.{ts,tsx}"], [...LIB_BASE, ...NOT_HTTP], SPECIAL_LIB),
  restrict(["lib/http/**/*.{ts,tsx}"], LIB_BASE),
  restrict(["lib/db/**/*.ts"], [...LIB_BASE, ...DB_ONLY_BELOW]),
  restrict(["lib/jobs/**/*.ts"], [...LIB_BASE, ...JOBS_BELOW_DOMAIN]),
  ...LEAF_FOLDERS.map((name) => restrict([`lib/${name}/**/*.ts`], [...LIB_BASE, ...LEAF(name)])),
  restrict(["worker/**/*.ts"], [...NOT_NEXT, ...NOT_DEMO, ...NOT_TEST_INFRA, ...NO_CROSS_FOLDER_RELATIVE]),
  restrict(["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "proxy.ts"], [...NOT_DEMO, ...NOT_TEST_INFRA, ...NO_CROSS_FOLDER_RELATIVE]),
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "worker/**/*.ts"],
    ignores: TESTS,
    rules: { "no-restricted-syntax": ["error", INLINE_PRISMA] },
  },
  {
    files: ["lib/**/*.ts", "scripts/**/*.ts", "demo/**/*.ts"],
    ignores: [...TESTS, "lib/db/query-rows.ts"],
    rules: { "no-restricted-syntax": ["error", RAW_ROW_CAST] },
  },
];
