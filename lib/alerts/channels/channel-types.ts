/** Channel types and what the forms ask for; shared by server and client code (no server imports). */
export const ALERT_CHANNEL_TYPES = ["email", "slack", "teams", "pagerduty", "opsgenie", "webhook"] as const;
export type AlertChannelType = (typeof ALERT_CHANNEL_TYPES)[number];

export type ChannelField = {
  name: string;
  label: string;
  secret: boolean;
  placeholder?: string;
  options?: readonly string[];
  optional?: boolean;
};

export const CHANNEL_TYPE_INFO: Record<AlertChannelType, { label: string; resolves: boolean; fields: readonly ChannelField[] }> = {
  email: {
    label: "Email (SMTP)",
    resolves: true,
    fields: [
      { name: "host", label: "SMTP host", secret: false, placeholder: "smtp.example.com" },
      { name: "port", label: "Port", secret: false, placeholder: "587" },
      { name: "security", label: "Security", secret: false, options: ["starttls", "tls", "none"] },
      { name: "username", label: "Username", secret: false, optional: true },
      { name: "password", label: "Password", secret: true, optional: true },
      { name: "from", label: "From", secret: false, placeholder: "linkscope@example.com" },
      { name: "to", label: "To (comma-separated)", secret: false, placeholder: "oncall@example.com" },
    ],
  },
  slack: {
    label: "Slack",
    resolves: true,
    fields: [{ name: "url", label: "Incoming webhook URL", secret: true, placeholder: "https://hooks.slack.com/services/…" }],
  },
  teams: {
    label: "Microsoft Teams",
    resolves: true,
    fields: [{ name: "url", label: "Workflow webhook URL", secret: true, placeholder: "https://….logic.azure.com/workflows/…" }],
  },
  pagerduty: {
    label: "PagerDuty",
    resolves: true,
    fields: [
      { name: "routingKey", label: "Integration (routing) key", secret: true },
      { name: "severity", label: "Severity", secret: false, options: ["critical", "error", "warning", "info"] },
    ],
  },
  opsgenie: {
    label: "Opsgenie",
    resolves: true,
    fields: [
      { name: "apiKey", label: "API integration key", secret: true },
      { name: "region", label: "Region", secret: false, options: ["us", "eu"] },
      { name: "priority", label: "Priority", secret: false, options: ["P1", "P2", "P3", "P4", "P5"] },
    ],
  },
  webhook: {
    label: "Webhook (JSON)",
    resolves: true,
    fields: [{ name: "url", label: "URL", secret: true, placeholder: "https://example.com/hooks/linkscope" }],
  },
};
