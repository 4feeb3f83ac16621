import type { Reason } from "@/lib/events/connection-event.ts";
import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, formatUtc, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding } from "./types.ts";

const AUTH_REASONS: ReadonlySet<Reason> = new Set(["auth_failed", "not_authorized", "credential_expired"]);

/** Codes that mean "this client ID is not acceptable", whatever the vendor. */
export const CLIENT_ID_REJECTED_CODES: ReadonlySet<string> = new Set([
  "connack:2",
  "mqtt5:0x85",
  "emqx:client_identifier_not_valid",
  "hivemq:CLIENT_IDENTIFIER_NOT_VALID",
  "mosquitto:client-identifier-not-valid",
  "aedes:identifier-rejected",
  "clearblade:client-id-rejected",
  "libmosquitto:connection-refused-identifier-rejected",
]);

/** Sub-causes the vendor message can reveal (ClearBlade's JWT rules, Azure's 401003 texts). */
const AUTH_HINTS: readonly [RegExp, string][] = [
  [/expir|\bexp\b|renew token/i, "expired token"],
  [/audience|\baud\b/i, "wrong audience (aud)"],
  [/skew|clock|\biat\b|not yet valid|future/i, "clock skew"],
  [/\balg\b|algorithm|rs256|es256/i, "wrong algorithm"],
  [/base64/i, "base64 instead of base64url"],
  [/thumbprint|certificate/i, "certificate or thumbprint mismatch"],
];

export function classifyAuthMessages(events: readonly DiagnosisEvent[]): string[] {
  const hints = new Set<string>();
  for (const event of events) for (const [pattern, hint] of AUTH_HINTS) if (event.message && pattern.test(event.message)) hints.add(hint);
  return [...hints];
}

type DraftStep = DraftFinding["steps"][number];

const TLS_HANDSHAKE_STEP: DraftStep = {
  text: "Check the TLS handshake from the device's network: openssl s_client -connect host:8883 -showcerts",
  check: "tls-handshake-ok",
};
const CERTIFICATE_DATES_STEP: DraftStep = {
  text: "Check the validity dates of the device certificate and of the server's chain",
  check: "manual",
};
const ROOT_CA_STEP: DraftStep = {
  text: "Install the current root CA (for ClearBlade: DigiCert G5) and use TLS 1.2 or later",
  check: "manual",
};
const DEVICE_CLOCK_STEP: DraftStep = { text: "Sync the device clock with NTP so certificates validate", check: "manual" };

function distinctCodes(events: readonly DiagnosisEvent[]): string[] {
  return [...new Set(events.map((event) => event.code).filter((code): code is string => code !== null))];
}

/** A drop this long after a refusal ended a connection made after it (one client ID has one connection at a time). */
const DROP_PROVES_CONNECT_MS = 60_000;

/**
 * The first sign the server accepted the device after `at`: a connect, or a drop at least a minute later (the
 * connection it ended was accepted after `at`). Device-side histories list drops and refusals but no connects.
 */
export function acceptedAfter(ctx: AnalysisContext, at: Date): DiagnosisEvent | null {
  const connect = ctx.connects.find((event) => event.occurredAt.getTime() > at.getTime());
  const drop = ctx.drops.find((event) => event.occurredAt.getTime() - at.getTime() >= DROP_PROVES_CONNECT_MS);
  if (!connect || !drop) return connect ?? drop ?? null;
  return connect.occurredAt <= drop.occurredAt ? connect : drop;
}

/** The last sign before `at` that the server accepted the device: a connect, or a disconnect of a connection. */
function acceptedBefore(ctx: AnalysisContext, at: Date): DiagnosisEvent | null {
  return ctx.events.findLast((event) => (event.kind === "connected" || event.kind === "disconnected") && event.occurredAt < at) ?? null;
}

/** Authentication failure chains: refused connects, and whether the device ever gets back in. */
export function detectAuthFailures(ctx: AnalysisContext, excluded: ReadonlySet<string> = new Set()): DraftFinding[] {
  const failures = ctx.failures.filter(
    (event) => AUTH_REASONS.has(event.reason) && !excluded.has(event.id) && !(event.code && CLIENT_ID_REJECTED_CODES.has(event.code)),
  );
  const first = failures[0];
  const last = failures.at(-1);
  // One refusal is a blip (or a renewal still in progress at the end of the window), not a chain.
  if (!first || !last || failures.length < 2) return [];
  const acceptedSince = acceptedAfter(ctx, first.occurredAt) !== null;
  const codes = distinctCodes(failures);
  const hints = classifyAuthMessages(failures);
  const hintText = hints.length > 0 ? ` The server's messages point to: ${hints.join(", ")}.` : "";
  const codeText = codes.length > 0 ? codes.join(", ") : last.reason;
  const steps = [
    {
      text: "Check the device's credentials are accepted at all (a successful connect after the failures)",
      check: "credentials-accepted" as const,
    },
    {
      text: "Decode the token (see /tools/jwt): exp − iat ≤ 24 h, aud, alg RS256/ES256, base64url, iat within 10 min of now",
      check: "manual" as const,
    },
    { text: "Sync the device clock with NTP (tokens tolerate only minutes of skew)", check: "manual" as const },
    { text: "Back off between attempts and regenerate credentials after repeated failures", check: "reconnect-backoff" as const },
  ];
  if (!acceptedSince) {
    // Accepted earlier in the window: the same credentials worked, so they expired, were revoked or the clock moved.
    const before = acceptedBefore(ctx, first.occurredAt);
    return [
      {
        analyzer: "auth-failures",
        title: before ? "Every connect refused since it was last accepted (authentication)" : "Every connect refused (authentication)",
        verdict: before
          ? `The device was accepted until ${formatUtc(before.occurredAt)}; all ${failures.length} connect attempts since ${formatUtc(first.occurredAt)} were refused with ${codeText} and none succeeded: its credentials expired or were revoked, or its clock moved.${hintText}`
          : `All ${failures.length} connect attempts since ${formatUtc(first.occurredAt)} were refused with ${codeText} and none succeeded: the device's credentials are wrong, expired or not registered.${hintText}`,
        severity: "critical",
        confidence: clamp(0.6 + 0.35 * Math.min(1, failures.length / 5)),
        evidence: {
          eventIds: failures.map((event) => event.id),
          stats: {
            refusedConnects: failures.length,
            acceptedSinceFirstRefusal: 0,
            ...(hints.length > 0 ? { hints: hints.join(", ") } : {}),
          },
          range: rangeAround(last.occurredAt),
        },
        codes,
        steps,
      },
    ];
  }
  return [
    {
      analyzer: "auth-failures",
      title: "Intermittent authentication failures",
      verdict: `${failures.length} connect attempts were refused with ${codeText} between successful connects: credentials expire or are renewed too late, or the clock drifts.${hintText}`,
      severity: "warning",
      confidence: clamp(0.45 + 0.35 * Math.min(1, failures.length / 10)),
      evidence: {
        eventIds: failures.map((event) => event.id),
        stats: { refusedConnects: failures.length, ...(hints.length > 0 ? { hints: hints.join(", ") } : {}) },
        range: rangeAround(last.occurredAt),
      },
      codes,
      steps,
    },
  ];
}

/** The server accepted this client at some point in the window: a connect, or any disconnect (it was connected). */
function everConnected(ctx: AnalysisContext): boolean {
  return ctx.connects.length > 0 || ctx.events.some((event) => event.kind === "disconnected");
}

/** Nothing from the broker in the window: device-side reports list failures, not successes. */
function onlyDeviceReports(ctx: AnalysisContext): boolean {
  return ctx.events.every((event) => event.side !== "broker");
}

/** Events of `reason`, a disconnect counted once per lost connection (two sources may log it). */
function distinctFailures(ctx: AnalysisContext, test: (event: DiagnosisEvent) => boolean): DiagnosisEvent[] {
  const drops = new Set<string>();
  return ctx.events.filter((event) => {
    if (!test(event)) return false;
    const drop = event.kind === "disconnected" ? ctx.dropOf.get(event.id) : undefined;
    if (!drop) return true;
    if (drops.has(drop.id)) return false;
    drops.add(drop.id);
    return true;
  });
}

export function detectTlsFailures(ctx: AnalysisContext): DraftFinding[] {
  const failures = distinctFailures(ctx, (event) => event.reason === "tls_error");
  const last = failures.at(-1);
  if (!last) return [];
  const first = failures[0] ?? last;
  // Accepted since the failures began (a connect, or a drop a minute on that was not itself a TLS failure), or only
  // before them: a certificate that expired or was replaced fails every handshake from then on.
  const acceptedSince =
    ctx.connects.some((event) => event.occurredAt > first.occurredAt) ||
    ctx.drops.some((event) => event.reason !== "tls_error" && event.occurredAt.getTime() - first.occurredAt.getTime() >= 60_000);
  const accepted = everConnected(ctx);
  if (accepted && !acceptedSince && failures.length >= 2) {
    const before = acceptedBefore(ctx, first.occurredAt);
    return [
      {
        analyzer: "tls-failures",
        title: "TLS failures since it was last connected",
        verdict: `${failures.length} connections since ${formatUtc(first.occurredAt)} failed in the TLS layer and none succeeded${before ? `; the device was connected until ${formatUtc(before.occurredAt)}` : ""}: a certificate expired or was replaced (the device's or the server's), the root CA or TLS version changed, or the device clock is wrong.`,
        severity: "critical",
        confidence: clamp(0.6 + 0.35 * Math.min(1, failures.length / 5)),
        evidence: {
          eventIds: failures.map((event) => event.id),
          stats: { tlsFailures: failures.length, successfulConnects: ctx.connects.length, successfulConnectsSinceFirstFailure: 0 },
          range: rangeAround(last.occurredAt),
        },
        codes: distinctCodes(failures),
        steps: [TLS_HANDSHAKE_STEP, CERTIFICATE_DATES_STEP, ROOT_CA_STEP, DEVICE_CLOCK_STEP],
      },
    ];
  }
  // Device-side reports list failures, not successes: with nothing from the broker, one failure is not the device's
  // state. (Repeated ones stay "none succeeded", as repeated refusals do in detectAuthFailures.)
  const onlyReports = !accepted && onlyDeviceReports(ctx);
  // One failed handshake beside connections that succeed is an incident (a reset on the path), not a pattern yet.
  const once = (accepted || onlyReports) && failures.length === 1;
  const others = accepted
    ? "the others succeeded"
    : "only the device's reports are in the window, so whether other connections succeeded is not known";
  return [
    {
      analyzer: "tls-failures",
      title: once ? "One TLS failure" : "TLS or certificate failures",
      verdict: once
        ? `One connection failed in the TLS layer and ${others}: a reset on the path or a handshake cut short; if it recurs, check the root CA, the TLS version and the device clock.`
        : `${failures.length} connections failed in the TLS layer${accepted ? " (others succeeded, so the path or the device's clock varies)" : " and none succeeded"}: root CA, TLS version, certificate or device clock.`,
      severity: once ? "info" : accepted ? "warning" : "critical",
      confidence: once ? 0.5 : clamp(0.6 + 0.35 * Math.min(1, failures.length / 5)),
      evidence: {
        eventIds: failures.map((event) => event.id),
        stats: { tlsFailures: failures.length, successfulConnects: ctx.connects.length },
        range: rangeAround(last.occurredAt),
      },
      codes: distinctCodes(failures),
      steps: [TLS_HANDSHAKE_STEP, ROOT_CA_STEP, DEVICE_CLOCK_STEP],
    },
  ];
}

export function detectRejectedClientId(ctx: AnalysisContext): DraftFinding[] {
  const rejected = distinctFailures(ctx, (event) => event.code !== null && CLIENT_ID_REJECTED_CODES.has(event.code));
  const last = rejected.at(-1);
  if (!last) return [];
  const times = rejected.length === 1 ? "once" : `${rejected.length} times`;
  // The same client ID was accepted at other times in the window: its format is not what the server refuses.
  if (everConnected(ctx)) {
    return [
      {
        analyzer: "client-id-rejected",
        title: "Client ID rejected at times",
        verdict: `The server rejected the client ID ${times} (${distinctCodes(rejected).join(", ")}) but accepted the same ID at other times, so its format is not the cause: another connection using this ID at that moment, or a server-side check failing then (ClearBlade lists a duplicate client ID beside a malformed one for CONNACK 2).`,
        severity: rejected.length === 1 ? "info" : "warning",
        confidence: rejected.length === 1 ? 0.5 : clamp(0.55 + 0.2 * Math.min(1, rejected.length / 5)),
        evidence: {
          eventIds: rejected.map((event) => event.id),
          stats: { rejections: rejected.length, successfulConnects: ctx.connects.length },
          range: rangeAround(last.occurredAt),
        },
        codes: distinctCodes(rejected),
        steps: [
          { text: "Make sure only one device or process connects with this client ID", check: "unique-client-id" },
          { text: "Read the broker's log at these times for why it refused the client ID", check: "manual" },
        ],
      },
    ];
  }
  if (rejected.length === 1 && onlyDeviceReports(ctx)) {
    return [
      {
        analyzer: "client-id-rejected",
        title: "Client ID rejected once",
        verdict: `The device reported its client ID rejected once (${distinctCodes(rejected).join(", ")}); only its reports are in the window, so whether the server accepts the ID at other times is not known. If it recurs, check the ID's format, length and characters.`,
        severity: "info",
        confidence: 0.5,
        evidence: { eventIds: rejected.map((event) => event.id), stats: { rejections: 1 }, range: rangeAround(last.occurredAt) },
        codes: distinctCodes(rejected),
        steps: [{ text: "Check the client ID format and length the server accepts", check: "client-id-accepted" }],
      },
    ];
  }
  return [
    {
      analyzer: "client-id-rejected",
      title: "Client ID rejected",
      verdict: `The server rejected the client ID ${times} (${distinctCodes(rejected).join(", ")}): its format, length or characters are not accepted (ClearBlade needs projects/{project}/locations/{region}/registries/{registry}/devices/{device}).`,
      severity: "critical",
      confidence: clamp(0.75 + 0.2 * Math.min(1, rejected.length / 3)),
      evidence: {
        eventIds: rejected.map((event) => event.id),
        stats: { rejections: rejected.length },
        range: rangeAround(last.occurredAt),
      },
      codes: distinctCodes(rejected),
      steps: [
        {
          text: "Use exactly the client ID format the platform requires (project, region, registry and device ID, case-sensitive)",
          check: "client-id-accepted",
        },
        { text: "Make sure the device exists in the registry", check: "manual" },
      ],
    },
  ];
}
