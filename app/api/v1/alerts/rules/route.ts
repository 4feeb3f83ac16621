import { CreateAlertRuleSchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { createAlertRule, listAlertRules } from "@/lib/alerts/alert-rules.ts";
import { getDb } from "@/lib/db/client.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

export const GET = handleRoute(async () => createJsonResponse({ rules: await listAlertRules(getDb()) }));

/** A new rule; the webhook URL is stored as given and only ever answered masked. */
export const POST = handleRoute({ role: "support" }, async (request: Request, _context: unknown, auth) => {
  const input = await readJsonBody(request, CreateAlertRuleSchema);
  return createJsonResponse({ rule: await createAlertRule(getDb(), input, auth) }, { status: 201 });
});
