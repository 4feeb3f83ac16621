/** What each rule kind measures; shared by the evaluator, the notification text and the rules form (no server imports). */
export const ALERT_RULE_KINDS = [
  "connected_below",
  "connected_drop_percent",
  "disconnect_rate_above",
  "code_rate_above",
  "device_offline_longer",
] as const;
export type AlertRuleKind = (typeof ALERT_RULE_KINDS)[number];

export type AlertKindInfo = {
  label: string;
  /** "above": the condition holds while the value is greater than the threshold; "below": while it is smaller. */
  direction: "above" | "below";
  thresholdLabel: string;
  unit: string;
  usesWindow: boolean;
};

export const ALERT_KINDS: Record<AlertRuleKind, AlertKindInfo> = {
  connected_below: {
    label: "Connected devices below",
    direction: "below",
    thresholdLabel: "Fewer connected devices than",
    unit: "devices",
    usesWindow: false,
  },
  connected_drop_percent: {
    label: "Connected devices dropping by",
    direction: "above",
    thresholdLabel: "Drop within the window, percent",
    unit: "%",
    usesWindow: true,
  },
  disconnect_rate_above: {
    label: "Drop rate above",
    direction: "above",
    thresholdLabel: "Drops per minute (window average)",
    unit: "drops/min",
    usesWindow: true,
  },
  code_rate_above: {
    label: "Code or reason rate above",
    direction: "above",
    thresholdLabel: "Events per minute (window average)",
    unit: "events/min",
    usesWindow: true,
  },
  device_offline_longer: {
    label: "Device offline longer than",
    direction: "above",
    thresholdLabel: "Offline for more than, minutes",
    unit: "min",
    usesWindow: false,
  },
};

/** The subject of every rule except offline rules, which have one subject per device. */
export const FLEET_SUBJECT = "fleet";

/** At most this many devices alert at once per offline rule; the rest are counted on the rule's fleet row. */
export const MAX_FIRING_DEVICES_PER_RULE = 50;
