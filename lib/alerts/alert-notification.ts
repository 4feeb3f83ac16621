import { FLEET_SUBJECT, type AlertRuleKind } from "./alert-kinds.ts";

/** The rule fields a notification describes. */
export type NotifiedRule = {
  id: string;
  name: string;
  kind: AlertRuleKind;
  threshold: number;
  code?: string | undefined;
  /** Rate rules only: compare with K × the usual rate instead of a fixed one (the threshold is then the floor). */
  baseline?: { multiplier: number } | null | undefined;
  windowMs: number;
  source: string | null;
  brokerNode: string | null;
};

export type NotificationStatus = "firing" | "resolved" | "test";

export type AlertNotification = {
  rule: NotifiedRule;
  status: NotificationStatus;
  subject: string;
  value: number | null;
  /** The threshold the value was compared with, when it is not the rule's own (baseline rules). */
  threshold?: number | undefined;
  /** When the alert fired (for a test: now). */
  startedAt: Date;
  link: AlertLink;
};

export type AlertLink = { url: string; label: string };

export function describeScope(rule: Pick<NotifiedRule, "source" | "brokerNode">): string {
  if (!rule.source && !rule.brokerNode) return "all sources";
  return [rule.source ? `source ${rule.source}` : null, rule.brokerNode ? `node ${rule.brokerNode}` : null].filter(Boolean).join(", ");
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** Offline durations read better in hours or days once they are long. */
function formatMinutes(minutes: number): string {
  if (minutes < 120) return `${formatNumber(minutes)} min`;
  if (minutes < 2_880) return `${formatNumber(Math.round(minutes / 6) / 10)} h`;
  return `${formatNumber(Math.round(minutes / 144) / 10)} d`;
}

/** "above 6.3 (3 × the usual rate, at least 5)" for a baseline rule; Infinity means it has no baseline yet. */
function describeBaselineThreshold(rule: NotifiedRule, multiplier: number, effective: number): string {
  const floor = formatNumber(rule.threshold);
  if (!Number.isFinite(effective)) return `no baseline yet (needs history at this hour on one of the previous 7 days)`;
  return `alert above ${formatNumber(effective)} (${formatNumber(multiplier)} × the usual rate, at least ${floor})`;
}

/** One plain sentence about the value against the threshold (stored in the history and used in the Slack text). */
export function describeAlertValue(rule: NotifiedRule, subject: string, value: number | null, effectiveThreshold = rule.threshold): string {
  const threshold = formatNumber(rule.threshold);
  const rateLimit = rule.baseline
    ? describeBaselineThreshold(rule, rule.baseline.multiplier, effectiveThreshold)
    : `alert above ${threshold}`;
  const window = `${formatNumber(rule.windowMs / 60_000)} min`;
  const now = value === null ? "unknown" : formatNumber(value);
  const scope = describeScope(rule);
  switch (rule.kind) {
    case "connected_below":
      return `${now} devices connected (${scope}); alert below ${threshold}`;
    case "connected_drop_percent":
      return `connected devices dropped by ${now} % within ${window} (${scope}); alert at more than ${threshold} %`;
    case "disconnect_rate_above":
      return `${now} drops per minute over the last ${window} (${scope}); ${rateLimit}`;
    case "code_rate_above":
      return `${rule.code ?? "?"}: ${now} events per minute over the last ${window}; ${rateLimit}`;
    case "device_offline_longer":
      if (subject === FLEET_SUBJECT) return `${now} devices offline for more than ${threshold} min (${scope})`;
      if (value === 0) return `device ${subject} is back online (${scope})`;
      return `device ${subject} offline for ${value === null ? now : formatMinutes(value)} (${scope}); alert after ${threshold} min`;
  }
}

// Slack mrkdwn: only &, < and > need escaping; user text (rule names, device IDs) must not break out of a link.
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Where a notification points: the device page for device alerts, an incident overlapping the alert when there is
 * one, else the fleet view over the hour before the alert up to `until`.
 */
export function buildAlertLink(input: {
  baseUrl: string;
  subject: string;
  incidentId: string | null;
  startedAt: Date;
  until: Date;
}): AlertLink {
  const base = input.baseUrl.replace(/\/+$/, "");
  if (input.subject !== FLEET_SUBJECT)
    return { url: `${base}/devices/${encodeURIComponent(input.subject)}`, label: `Open device ${input.subject}` };
  if (input.incidentId) return { url: `${base}/incidents/${encodeURIComponent(input.incidentId)}`, label: "Open incident" };
  const from = new Date(input.startedAt.getTime() - 3_600_000).toISOString();
  const to = new Date(Math.max(input.until.getTime(), input.startedAt.getTime() + 60_000)).toISOString();
  return { url: `${base}/fleet?${new URLSearchParams({ from, to }).toString()}`, label: "Open fleet view" };
}

/** LINKSCOPE_PUBLIC_URL, else NEXTAUTH_URL, else the local default; for links in notifications. */
export function resolvePublicBaseUrl(env: Record<string, string | undefined>): string {
  const candidate = [env.LINKSCOPE_PUBLIC_URL, env.NEXTAUTH_URL].find((value) => value && /^https?:\/\//.test(value));
  return (candidate ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
}
