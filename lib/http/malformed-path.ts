/**
 * Next answers a path whose percent-encoding is broken (`/devices/%E0%A4%A`) with a bare 500 before any route or
 * page runs, so the web server checks paths first and answers these with a readable 400 itself.
 */
export function hasMalformedPercentEncoding(url: string): boolean {
  const path = url.split(/[?#]/, 1)[0] ?? "";
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

const MESSAGE =
  "The address is not valid: its percent-encoding is broken (for example %E0%A4%A). Check the link, or search for the device by ID.";

/** The reply to such a path: the JSON error envelope for the API, a small page with a way back for everything else. */
export function renderMalformedPathResponse(url: string): { status: 400; contentType: string; body: string } {
  if (url.startsWith("/api/")) {
    return {
      status: 400,
      contentType: "application/json; charset=utf-8",
      body: JSON.stringify({ error: { code: "malformed_path", message: MESSAGE } }),
    };
  }
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Bad address · Linkscope</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937}a{color:#2563eb}</style></head>
<body><h1>This address cannot be read</h1><p>${MESSAGE}</p><p><a href="/devices">Search devices</a> · <a href="/">Overview</a></p></body></html>`;
  return { status: 400, contentType: "text/html; charset=utf-8", body };
}
