/** A webhook source as the admin page offers it: its URL name, human title, description and input kind. */
export type IngestSourceChoice = { name: string; title: string; description: string; input: "json" | "lines" };

/** A ready-to-run request for the source's webhook; log formats are sent as text, the rest as JSON. */
export function buildWebhookCurlExample(origin: string, source: Pick<IngestSourceChoice, "name" | "input">, token: string): string {
  const [contentType, file] = source.input === "lines" ? ["text/plain", `${source.name}.log`] : ["application/json", "events.json"];
  return [
    `curl -X POST "${origin}/api/v1/ingest/${encodeURIComponent(source.name)}" \\`,
    `  -H "Authorization: Bearer ${token}" \\`,
    `  -H "Content-Type: ${contentType}" \\`,
    `  --data-binary @${file}`,
  ].join("\n");
}
