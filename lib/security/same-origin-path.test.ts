import { describe, expect, it } from "vitest";
import { isSameOrigin, toSameOriginPath } from "@/lib/security/same-origin-path.ts";

// What a browser does with a Location header or location.assign() of the returned value, relative to our page.
function browserTarget(path: string): URL {
  return new URL(path, "https://linkscope.example/signin");
}

describe("toSameOriginPath", () => {
  it("keeps same-origin paths with their query and fragment", () => {
    expect(toSameOriginPath("/devices?query=a#events")).toBe("/devices?query=a#events");
    expect(toSameOriginPath("/devices/a%2Fb")).toBe("/devices/a%2Fb");
  });

  it.each([
    "/\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "//evil.example",
    "///evil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    " /\\evil.example",
  ])("refuses %j, which a browser would take off the site", (value) => {
    const kept = toSameOriginPath(value);
    expect(kept).toBe("/");
    expect(browserTarget(kept).host).toBe("linkscope.example");
  });

  it("never returns a path a browser resolves to another host", () => {
    const tricky = [
      "/%5Cevil.example",
      "/%09/evil.example",
      "/%2F%2Fevil.example",
      "/a/../\\evil.example",
      "/@evil.example",
      "/:@evil.example",
    ];
    for (const value of tricky) expect(browserTarget(toSameOriginPath(value)).host).toBe("linkscope.example");
  });

  it("uses the fallback for non-strings and empty values", () => {
    expect(toSameOriginPath(undefined, "/fleet")).toBe("/fleet");
    expect(toSameOriginPath(["/a"], "/fleet")).toBe("/fleet");
    expect(toSameOriginPath("", "/fleet")).toBe("/fleet");
  });
});

describe("isSameOrigin", () => {
  it("compares after parsing", () => {
    expect(isSameOrigin("/devices", "http://127.0.0.1:3000")).toBe(true);
    expect(isSameOrigin("http://127.0.0.1:3000/x", "http://127.0.0.1:3000")).toBe(true);
    expect(isSameOrigin("http://127.0.0.1:4000/x", "http://127.0.0.1:3000")).toBe(false);
    expect(isSameOrigin("/\\evil.example", "http://127.0.0.1:3000")).toBe(false);
    expect(isSameOrigin("/\t/evil.example", "http://127.0.0.1:3000")).toBe(false);
  });
});
