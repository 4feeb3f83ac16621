import { describe, expect, it } from "vitest";
import { findCrossSiteReason, listOwnHosts } from "@/lib/security/cross-site-request.ts";

const OWN = ["127.0.0.1:3000"];
const post = (headers: Record<string, string>, method = "POST") => ({ method, headers: new Headers(headers) });

describe("findCrossSiteReason", () => {
  it("refuses a form post from another port of the same host (same site, other origin)", () => {
    expect(findCrossSiteReason(post({ origin: "http://127.0.0.1:4000", "content-type": "text/plain" }), OWN)).toMatch(/not this site/);
    expect(findCrossSiteReason(post({ "sec-fetch-site": "same-site", origin: "http://127.0.0.1:4000" }), OWN)).toMatch(/same-site/);
    expect(findCrossSiteReason(post({ "sec-fetch-site": "cross-site" }), OWN)).toMatch(/cross-site/);
  });

  it("refuses every unsafe method and an opaque origin", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(findCrossSiteReason(post({ origin: "https://evil.example" }, method), OWN)).not.toBeNull();
    }
    expect(findCrossSiteReason(post({ origin: "null" }), OWN)).toMatch(/opaque/);
  });

  it("lets same-origin browser requests, safe methods, token callers and non-browser clients through", () => {
    expect(findCrossSiteReason(post({ "sec-fetch-site": "same-origin", origin: "http://127.0.0.1:3000" }), OWN)).toBeNull();
    expect(findCrossSiteReason(post({ origin: "http://127.0.0.1:3000" }), OWN)).toBeNull();
    expect(findCrossSiteReason(post({ "sec-fetch-site": "none" }), OWN)).toBeNull();
    expect(findCrossSiteReason(post({ origin: "https://evil.example" }, "GET"), OWN)).toBeNull();
    expect(findCrossSiteReason(post({ origin: "https://evil.example", authorization: "Bearer lsk_x" }), OWN)).toBeNull();
    expect(findCrossSiteReason(post({}), OWN)).toBeNull();
  });

  it("trusts Sec-Fetch-Site over a matching Origin", () => {
    expect(findCrossSiteReason(post({ "sec-fetch-site": "cross-site", origin: "http://127.0.0.1:3000" }), OWN)).not.toBeNull();
  });
});

describe("listOwnHosts", () => {
  it("takes the Host header and the configured public URL", () => {
    expect(listOwnHosts(new Headers({ host: "127.0.0.1:3000" }), "https://linkscope.example.com/")).toEqual([
      "127.0.0.1:3000",
      "linkscope.example.com",
    ]);
    expect(listOwnHosts(new Headers(), undefined)).toEqual([]);
  });
});
