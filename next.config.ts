import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY } from "./lib/http/content-security-policy.ts";

// `npm start` and the e2e setup build for running, not for checking: `npm test` type-checks first (`npm run
// typecheck`), and a first start gains nothing from Turbopack's build cache (decision 015).
const buildToRun = process.env.LINKSCOPE_BUILD_TO_RUN === "1";
// `npm run typecheck` generates the route types into a directory of its own, with its own tsconfig, so `npm test` can
// build into `.next` at the same time without tsc reading files the build is rewriting (decision 059).
const typegenForTypecheck = process.env.LINKSCOPE_TYPEGEN_FOR_TYPECHECK === "1";

const nextConfig: NextConfig = {
  distDir: typegenForTypecheck ? ".next-typecheck" : ".next",
  reactStrictMode: true,
  typescript: { ignoreBuildErrors: buildToRun, tsconfigPath: typegenForTypecheck ? "tsconfig.typecheck.json" : "tsconfig.json" },
  poweredByHeader: false,
  // The worker shares lib/ with the web server; these stay plain Node modules rather than being bundled.
  serverExternalPackages: ["pino", "pg", "@prisma/adapter-pg"],
  // forbidden() renders app/forbidden.tsx with status 403 for a signed-in user whose role is too low.
  experimental: { authInterrupts: true, turbopackFileSystemCacheForBuild: !buildToRun },
  // The names people type for a sign-in page. Unredirected, the proxy sent them to /signin with /login as the page
  // to return to, which does not exist: a newcomer signed in and landed on "not found".
  async redirects() {
    return ["/login", "/sign-in"].map((source) => ({ source, destination: "/signin", permanent: false }));
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
      // A share page's URL holds its token: no Referer at all, not even to our own origin (its scripts and styles),
      // before the page's own <meta name="referrer"> is parsed. Later entries override earlier ones for a key.
      { source: "/share/:path*", headers: [{ key: "Referrer-Policy", value: "no-referrer" }] },
      // Pages get a per-request CSP with a script nonce from proxy.ts.
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
