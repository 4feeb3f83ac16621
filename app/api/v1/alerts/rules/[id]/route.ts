import { UpdateAlertRuleSchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { deleteAlertRule, getAlertRule, updateAlertRule } from "@/lib/alerts/alert-rules.ts";
import { getDb } from "@/lib/db/client.ts";
import { AppError } from "@/lib/http/app-error.ts";
import { createJsonResponse } from "@/lib/http/json.ts";
import { readJsonBody } from "@/lib/http/read-json-body.ts";
import { handleRoute } from "@/lib/http/route-handler.ts";

type Context = { params: Promise<{ id: string }> };

export const GET = handleRoute(async (_request: Request, context: Context) => {
  const { id } = await context.params;
  const rule = await getAlertRule(getDb(), id);
  if (!rule) throw new AppError(404, "alert_rule_not_found", `No alert rule ${id}.`);
  return createJsonResponse({ rule });
});

export const PATCH = handleRoute({ role: "support" }, async (request: Request, context: Context, auth) => {
  const { id } = await context.params;
  const patch = await readJsonBody(request, UpdateAlertRuleSchema);
  return createJsonResponse({ rule: await updateAlertRule(getDb(), id, patch, auth) });
});

export const DELETE = handleRoute({ role: "support" }, async (_request: Request, context: Context, auth) => {
  const { id } = await context.params;
  await deleteAlertRule(getDb(), id, auth);
  return new Response(null, { status: 204 });
});
