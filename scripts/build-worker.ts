/**
 * `npm run build:worker`: compiles the ingest worker (worker/main.ts and the lib/ modules it uses) into one ES
 * module, dist/worker/main.js, for `npm run worker:prod` (plain `node`, no TypeScript loader at run time).
 * Packages stay external and load from node_modules. The build refuses a bundle that reaches the demo, the web
 * layer or Next: the lint rules catch direct imports, this catches the transitive ones.
 */
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const outfile = path.join(root, "dist/worker/main.js");

const FORBIDDEN_SOURCES = /^(demo|app|components|lib\/http|lib\/testing)\//;
const FORBIDDEN_PACKAGES = /^(next|next-auth|react|react-dom|server-only|aedes|@electric-sql\/pglite[a-z-]*)(\/|$)/;

const result = await build({
  entryPoints: [path.join(root, "worker/main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  tsconfig: path.join(root, "tsconfig.json"),
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
});

const sources = Object.keys(result.metafile.inputs);
const packages = Object.values(result.metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
const offending = [
  ...sources.filter((file) => FORBIDDEN_SOURCES.test(file)),
  ...new Set(packages.filter((name) => FORBIDDEN_PACKAGES.test(name))),
];
if (offending.length > 0) {
  console.error(`The worker must not load demo, web or Next code, but its bundle reaches:\n  ${offending.join("\n  ")}`);
  process.exit(1);
}
console.log(`Built ${path.relative(root, outfile)} from ${sources.length} modules.`);
