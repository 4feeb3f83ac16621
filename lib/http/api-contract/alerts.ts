import { AcknowledgeAlertSchema, CreateAlertSilenceSchema, CreateMaintenanceWindowSchema } from "@/lib/alerts/alert-quiet-schemas.ts";
import { AlertHistoryQuerySchema, CreateAlertRuleSchema, UpdateAlertRuleSchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { CreateAlertChannelSchema, UpdateAlertChannelSchema } from "@/lib/alerts/channels/alert-channel-schemas.ts";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";

export const ALERTS_ROUTES: ApiRouteContract[] = [
  {
    method: "PATCH",
    path: "/api/v1/alerts/channels/{id}",
    access: "admin",
    summary: "any of `name`, `settings`, `secrets` → `{ channel }`; a secret omitted or empty keeps the stored one; audited",
    status: 200,
    body: UpdateAlertChannelSchema,
  },
  {
    method: "DELETE",
    path: "/api/v1/alerts/channels/{id}",
    access: "admin",
    summary: "204; rules stop using it, recorded deliveries keep its name; audited",
    status: 204,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/channels/{id}/test",
    access: "admin",
    summary: "sends one test notification now → `{ result: { delivered, httpStatus, response, error } }`; audited",
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/alerts/channels",
    access: "support",
    summary: "`{ channels }`: `{ id, name, type, settings, secrets (masked), rules }`",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/channels",
    access: "admin",
    summary:
      "`{ name, type: email|slack|teams|pagerduty|opsgenie|webhook, settings, secrets }` → 201 `{ channel }` (see [Alerts](alerts.md)); 409 `channel_name_taken`; audited without secrets",
    status: 201,
    body: CreateAlertChannelSchema,
  },
  {
    method: "GET",
    path: "/api/v1/alerts/history",
    access: "viewer",
    summary:
      "`{ history, nextBefore }`, newest first (`before`: a row ID, the previous page's `nextBefore`); each row's `deliveries`: per channel `status` (`pending`, `delivering`, `delivered`, `failed` = retrying, `gave_up`), `attempts`, `nextAttemptAt`, `httpStatus`, `response` (SMTP reply), `error` and `log` (every attempt)",
    status: 200,
    query: AlertHistoryQuerySchema,
  },
  {
    method: "DELETE",
    path: "/api/v1/alerts/maintenance-windows/{id}",
    access: "support",
    summary: "204; audited",
    status: 204,
  },
  {
    method: "GET",
    path: "/api/v1/alerts/maintenance-windows",
    access: "viewer",
    summary: "`{ windows }`: open and upcoming ones with their `next` occurrence",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/maintenance-windows",
    access: "support",
    summary:
      "`{ name, recurrence: once|daily|weekly, startsAt, durationMinutes, until?, source?, brokerNode? }` → 201 `{ window }`; audited",
    status: 201,
    body: CreateMaintenanceWindowSchema,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/rules/{id}/acknowledge",
    access: "support",
    summary: "`{ subject? }` (a device of an offline rule; default all) → `{ acknowledged }`; 409 `alert_not_firing`; audited",
    status: 200,
    body: AcknowledgeAlertSchema,
  },
  {
    method: "GET",
    path: "/api/v1/alerts/rules/{id}",
    access: "viewer",
    summary: "`{ rule }`; 404 `alert_rule_not_found`",
    status: 200,
  },
  {
    method: "PATCH",
    path: "/api/v1/alerts/rules/{id}",
    access: "support",
    summary:
      "any of the fields above → `{ rule }`; `channelIds` omitted keeps them, a list replaces them; a change other than the name or the channels resets the rule's alert state; audited",
    status: 200,
    body: UpdateAlertRuleSchema,
  },
  {
    method: "DELETE",
    path: "/api/v1/alerts/rules/{id}",
    access: "support",
    summary: "204; its history is kept; audited",
    status: 204,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/rules/{id}/test",
    access: "support",
    summary:
      "records a `test` notification queued to each of the rule's channels and delivers it at once → `{ delivered, history }` (`history.deliveries`); 400 `no_channels`; audited",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/rules/preview",
    access: "support",
    summary:
      "the body of `POST /api/v1/alerts/rules` (same validation, nothing saved) → `{ preview }`: `periods` (fired / resolved in the last 7 and 30 days), `episodes` (latest 50 `{ firedAt, resolvedAt, value, threshold }`), `firingAtEnd`, `baseline` (usual rate and threshold now; `usualPerMinute: null` = no baseline yet); offline rules answer `{ supported: false, reason }`",
    status: 200,
    body: CreateAlertRuleSchema,
  },
  {
    method: "GET",
    path: "/api/v1/alerts/rules",
    access: "viewer",
    summary:
      "`{ rules }`: each with its parameters, scope, `channels` (`{ id, name, type }`), `state` (`ok`/`pending`/`firing`/`disabled`, last value, firing devices) and `lastFiredAt`",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/rules",
    access: "support",
    summary:
      "`{ name, kind, params, source?, brokerNode?, windowMinutes?, forSeconds?, clearMargin?, clearForSeconds?, channelIds?, enabled? }` → 201 `{ rule }` (see [Alerts](alerts.md)); 400 names each invalid field; audited",
    status: 201,
    body: CreateAlertRuleSchema,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/silences/{id}/end",
    access: "support",
    summary: "ends it now → `{ silence }`; 409 `alert_silence_ended`; audited",
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/alerts/silences",
    access: "viewer",
    summary: "`{ silences }`: active ones, then those ended within a day",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/alerts/silences",
    access: "support",
    summary:
      '`{ target: rule|scope|devices|label, ruleId?, source?, brokerNode?, deviceIds?, label? ("key=value"), reason, minutes? | endsAt? }` → 201 `{ silence }`; audited',
    status: 201,
    body: CreateAlertSilenceSchema,
  },
];
