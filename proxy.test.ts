import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { describe, expect, it } from "vitest";
import { config } from "./proxy.ts";

const PREFETCHES = {
  "Link prefetch": { "next-router-prefetch": "1", rsc: "1" },
  "browser prefetch": { purpose: "prefetch" },
  "speculation rules": { "sec-purpose": "prefetch" },
};

// A prefetch is a request like any other: whoever sends the header chooses it. Skipping the proxy for prefetches
// left them without CSP and let a refused share token render the page's own 200 instead of the proxy's 404 / 410.
describe("the proxy's matcher", () => {
  it.each(Object.entries(PREFETCHES))("runs the proxy for a %s of a page, a share link or a protected page", (_name, headers) => {
    for (const url of ["/", "/devices", "/share/lss_unknown", "/signin"]) {
      expect(unstable_doesMiddlewareMatch({ config, url, headers }), url).toBe(true);
    }
  });

  it("leaves API routes (they authorize in handleRoute) and static assets alone", () => {
    for (const url of ["/api/v1/devices", "/api/health", "/_next/static/chunks/app.js", "/favicon.ico"]) {
      expect(unstable_doesMiddlewareMatch({ config, url }), url).toBe(false);
    }
  });
});
