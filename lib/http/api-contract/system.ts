import { z } from "zod";
import type { ApiRouteContract } from "@/lib/http/api-contract/api-route.ts";
import { CodeParamSchema, CodeSearchSchema } from "@/lib/knowledge/code-params.ts";
import { ServerProbeRequestSchema } from "@/lib/probe/run-server-probe.ts";

export const CodeParamsSchema = z.object({ code: CodeParamSchema });

export const SYSTEM_ROUTES: ApiRouteContract[] = [
  {
    method: "GET",
    path: "/api/*",
    access: "viewer",
    summary:
      "404 `not_found` naming the method and path (a device ID with `/` must be URL-encoded); anonymous callers get 401, so they cannot map which routes exist",
    status: 404,
  },
  {
    method: "POST",
    path: "/api/*",
    access: "viewer",
    summary:
      "404 `not_found` naming the method and path (a device ID with `/` must be URL-encoded); anonymous callers get 401, so they cannot map which routes exist",
    status: 404,
  },
  {
    method: "PUT",
    path: "/api/*",
    access: "viewer",
    summary:
      "404 `not_found` naming the method and path (a device ID with `/` must be URL-encoded); anonymous callers get 401, so they cannot map which routes exist",
    status: 404,
  },
  {
    method: "PATCH",
    path: "/api/*",
    access: "viewer",
    summary:
      "404 `not_found` naming the method and path (a device ID with `/` must be URL-encoded); anonymous callers get 401, so they cannot map which routes exist",
    status: 404,
  },
  {
    method: "DELETE",
    path: "/api/*",
    access: "viewer",
    summary:
      "404 `not_found` naming the method and path (a device ID with `/` must be URL-encoded); anonymous callers get 401, so they cannot map which routes exist",
    status: 404,
  },
  {
    method: "GET",
    path: "/api/auth/*",
    access: "public",
    summary:
      "next-auth: `GET /api/auth/csrf`, `POST /api/auth/callback/credentials` (form: `csrfToken`, `email`, `password`), `POST /api/auth/signout`, OIDC callbacks",
    status: 200,
  },
  {
    method: "POST",
    path: "/api/auth/*",
    access: "public",
    summary:
      "next-auth: `GET /api/auth/csrf`, `POST /api/auth/callback/credentials` (form: `csrfToken`, `email`, `password`), `POST /api/auth/signout`, OIDC callbacks",
    status: 200,
    body: "next-auth's form fields (`application/x-www-form-urlencoded`), e.g. `csrfToken`, `email`, `password`",
  },
  {
    method: "GET",
    path: "/api/health",
    access: "public",
    summary:
      "`{ ok, db, broker, worker: { connected, lagMs, lastEventAt }, sources: [{ source, status: ok|failing|stale, workers, lastCommitAt, failingSince, backlog }], readReplica?: { usable, lagSeconds } }` (`readReplica` only with `DATABASE_READ_URL`; a replica away or behind sends page reads to the primary and never makes health fail); `ok` is false when the database is down, no worker is connected, or a source has been failing to commit for longer than `LINKSCOPE_HEALTH_FAILING_AFTER_MS`; 503 when the database is down",
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/codes/{code}",
    access: "viewer",
    summary:
      "one entry (meaning, initiator, causes, steps, related codes, source) with its 14-day fleet `trend` and affected `devices`; 404 `code_not_found`, 400 for a code without namespace",
    status: 200,
    params: CodeParamsSchema,
  },
  {
    method: "GET",
    path: "/api/v1/codes",
    access: "viewer",
    summary:
      "knowledge-base entries matching the search, with `fleetCount14d`; `vendor` is one of `mqtt5`, `connack`, `emqx`, `aws`, `crt`, `azure`, `azure-egmqtt`, `mosquitto`, `hivemq`, `aedes`, `libmosquitto`, `clearblade`, `gcp-iot`, `agent`",
    status: 200,
    query: CodeSearchSchema,
  },
  {
    method: "GET",
    path: "/api/v1/live",
    access: "viewer",
    summary:
      "`text/event-stream`: `change` `{ latestEventId, latestReceivedAt, devices, truncated }` when events were stored (devices with new events since the last message, ≤ 200; the first message is the current position with no devices), `status` `{ workerConnected, lagMs, heartbeatAgeMs, lastEventAt }` when the worker's state changes, a comment every 15 s, `retry: 2000`. The caller is checked again at every comment and the stream ends once the session or token no longer works; at most 8 streams per caller at once (429 `too_many_streams` beyond). The pages use it to refresh within a second ([decision 011](decisions/011-live-updates.md))",
    status: 200,
  },
  {
    method: "GET",
    path: "/api/v1/me",
    access: "viewer",
    summary: 'the caller: `{ type: "user"|"token", id, label, role }`',
    status: 200,
  },
  {
    method: "POST",
    path: "/api/v1/probes",
    access: "support",
    summary:
      "`{ url, clientId?, username?, password?, caPem?, certPem?, keyPem?, mqttVersion?, servername?, pubSub?, idleSeconds? (≤ 120), stepTimeoutMs? (≤ 10000) }` → the probe report, run from the server; 403 `probe_target_not_allowed` outside `LINKSCOPE_PROBE_TARGETS`, 429 beyond 10 probes per user in 10 minutes or while one is running; the password is never stored, logged or returned; audited",
    status: 200,
    body: ServerProbeRequestSchema,
  },
];
