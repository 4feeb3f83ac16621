import { CreateAlertRuleSchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { previewAlertRule } from "@/lib/alerts/preview-alert-rule.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

/** How often a rule (the create body, validated the same way; nothing is saved) would have fired over the last 7 and 30 days. */
export const POST = handleRoute({ role: "support" }, async (request: Request) => {
  const input = await readJsonBody(request, CreateAlertRuleSchema);
  return createJsonResponse({ preview: await previewAlertRule(getDb(), input, new Date()) });
});
