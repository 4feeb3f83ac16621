import { describe, expect, it } from "vitest";
import { hasMalformedPercentEncoding, renderMalformedPathResponse } from "./malformed-path.ts";

describe("malformed paths", () => {
  it("finds broken percent-encoding in the path, not in the query", () => {
    expect(hasMalformedPercentEncoding("/devices/%E0%A4%A")).toBe(true);
    expect(hasMalformedPercentEncoding("/api/v1/devices/%ZZ")).toBe(true);
    expect(hasMalformedPercentEncoding("/devices/a%2Fb%20c?q=%E0")).toBe(false);
    expect(hasMalformedPercentEncoding("/devices/%F0%9F%98%80")).toBe(false);
  });

  it("answers the API with the error envelope and pages with a page", () => {
    const api = renderMalformedPathResponse("/api/v1/devices/%E0");
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body)).toMatchObject({ error: { code: "malformed_path" } });
    expect(renderMalformedPathResponse("/devices/%E0").body).toContain("This address cannot be read");
  });
});
