import { createSyslogYearReader, monthOfName, type PlacedTime, type SyslogYearReader } from "@/lib/time/syslog-year.ts";
/**
 * Pure parsers for a device's system log: `journalctl -o short-iso`, `journalctl -o json` and classic syslog
 * (`journalctl` default / `/var/log/syslog`) lines. Each recognised line is a system event with a kind; everything
 * else is counted by the caller, never an error (a journal is mostly unrelated lines).
 */

export const SYSTEM_LOG_EVENT_KINDS = [
  "network_state",
  "wifi_disconnect",
  "wifi_roam",
  "dhcp_renewal",
  "suspend",
  "resume",
  "cron_run",
  "link_down",
  "link_up",
  "modem_reset",
] as const;
export type SystemLogEventKind = (typeof SYSTEM_LOG_EVENT_KINDS)[number];

/** How the timeline and the diagnosis name each kind. */
export const SYSTEM_LOG_KIND_LABELS: Record<SystemLogEventKind, string> = {
  network_state: "NetworkManager state change",
  wifi_disconnect: "Wi-Fi disconnect",
  wifi_roam: "Wi-Fi roam",
  dhcp_renewal: "DHCP renewal",
  suspend: "suspend",
  resume: "resume from suspend",
  cron_run: "cron job",
  link_down: "link down",
  link_up: "link up",
  modem_reset: "modem reset",
};

/** One line in one of the accepted forms, before classification. */
export type SystemLogLine = {
  at: Date;
  identifier: string;
  message: string;
  form: "journal" | "syslog";
  /** A syslog line's year was inferred or given by the uploader, not written in the line. */
  yearFlag?: PlacedTime["flag"];
};
export type SystemLogEvent = SystemLogLine & { kind: SystemLogEventKind };

/** Options for year-less syslog timestamps (`Nov 30 10:15:02`): the year and zone they are read in. */
export type SyslogClock = {
  /** No line is placed more than a day after this (the upload); lib/time/syslog-year.ts. */
  reference: Date;
  /** The year of the log's first year-less line, when the uploader gives it. */
  year?: number | null;
  /** Minutes east of UTC the device's clock runs at; syslog lines carry no zone. 0 unless told. */
  utcOffsetMinutes: number;
  /** One log's lines share a reader, so the log stays monotonic across New Year; absent: each line alone. */
  years?: SyslogYearReader;
};

const MAX_MESSAGE = 300;

// 2026-11-30T10:15:02+0000 host NetworkManager[612]: message   (short-iso; also short-iso-precise, +00:00 zones)
const SHORT_ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)(Z|[+-]\d{2}:?\d{2})\s+(\S+)\s+([^\s:[]+)(?:\[\d+\])?:\s?(.*)$/;
// Nov 30 10:15:02 host NetworkManager[612]: message   (syslog / journalctl short)
const SYSLOG = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s+(\S+)\s+([^\s:[]+)(?:\[\d+\])?:\s?(.*)$/;
// A leading `<PRI>` (and RFC 5424 version digit) some relays keep in front of either form.
const SYSLOG_PRI = /^<\d{1,3}>\d?\s*/;

/** A text line (short-iso or syslog form); null when it is neither (a header, a continuation, noise). */
export function parseSystemLogTextLine(line: string, clock: SyslogClock): SystemLogLine | null {
  const text = line.replace(SYSLOG_PRI, "").trimEnd();
  const iso = SHORT_ISO.exec(text);
  if (iso) {
    const [, stamp = "", zone = "", , identifier = "", message = ""] = iso;
    const normalizedZone = zone === "Z" ? "Z" : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    const at = new Date(`${stamp.replace(",", ".").replace(/(\.\d{3})\d+/, "$1")}${normalizedZone}`);
    if (Number.isNaN(at.getTime())) return null;
    return { at, identifier, message: message.slice(0, MAX_MESSAGE), form: "journal" };
  }
  const classic = SYSLOG.exec(text);
  if (!classic) return null;
  const [, monthName = "", day = "", hour = "", minute = "", second = "", fraction = "", , identifier = "", message = ""] = classic;
  const month = monthOfName(monthName);
  if (month < 0) return null;
  const years = clock.years ?? createSyslogYearReader({ reference: clock.reference, year: clock.year });
  const time = { month, day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second) };
  const placed = years.place({ ...time, ms: Math.floor(Number(`0.${fraction || "0"}`) * 1000) }, clock.utcOffsetMinutes);
  if (!placed) return null;
  return { at: placed.at, identifier, message: message.slice(0, MAX_MESSAGE), form: "syslog", yearFlag: placed.flag };
}

/** One `journalctl -o json` record (one JSON object per line); null when it lacks a time or a message. */
export function parseJournalJsonRecord(value: unknown): SystemLogLine | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const micros =
    typeof record.__REALTIME_TIMESTAMP === "string" && /^\d{1,17}$/.test(record.__REALTIME_TIMESTAMP)
      ? Number(record.__REALTIME_TIMESTAMP)
      : null;
  if (micros === null) return null;
  const message = readJournalText(record.MESSAGE);
  if (message === null) return null;
  const identifier =
    readJournalText(record.SYSLOG_IDENTIFIER) ??
    readJournalText(record._COMM) ??
    readJournalText(record._SYSTEMD_UNIT)?.replace(/\.service$/, "") ??
    (record._TRANSPORT === "kernel" ? "kernel" : "");
  return { at: new Date(Math.floor(micros / 1000)), identifier, message: message.slice(0, MAX_MESSAGE), form: "journal" };
}

/** journald writes non-UTF-8 fields as byte arrays. */
function readJournalText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length <= 64 * 1024 && value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
    return Buffer.from(value as number[]).toString("utf8");
  }
  return null;
}

type Rule = { kind: SystemLogEventKind; identifier?: RegExp; message: RegExp };

// Ordered: the first rule that matches names the line. Identifiers are matched case-insensitively.
const RULES: readonly Rule[] = [
  {
    kind: "suspend",
    identifier: /^(systemd-sleep|systemd-logind|systemd|kernel)$/i,
    message: /\b(entering sleep state|the system will suspend|PM: suspend entry|reached target (sleep|suspend)|suspending system)/i,
  },
  {
    kind: "resume",
    identifier: /^(systemd-sleep|systemd-logind|systemd|kernel)$/i,
    message: /\b(system returned from sleep|PM: suspend exit|finished system suspend|stopped target (sleep|suspend)|system resumed)/i,
  },
  {
    kind: "wifi_disconnect",
    identifier: /^(wpa_supplicant|iwd|kernel)$/i,
    message: /CTRL-EVENT-DISCONNECTED|deauthenticating from|disassociated from|\bconnection to .* lost\b|beacon loss/i,
  },
  {
    kind: "wifi_roam",
    identifier: /^(wpa_supplicant|iwd|NetworkManager)$/i,
    message: /\broam(ed|ing)?\b|SME: Trying to authenticate with|CTRL-EVENT-CONNECTED - Connection to/i,
  },
  {
    kind: "dhcp_renewal",
    identifier: /^(dhclient|dhcpcd|systemd-networkd|NetworkManager|udhcpc|connmand)$/i,
    message:
      /DHCPREQUEST|DHCPACK|DHCPDISCOVER|bound to .* renewal in|renewing lease|leased .* for|DHCPv[46] (address|lease)|dhcp[46]? \(.*\):? state changed|\brebind(ing)?\b|lease (lost|expired|renewed)/i,
  },
  { kind: "cron_run", identifier: /^(cron|crond|CRON|anacron)$/i, message: /\bCMD\b|\bstarting\b|\bjob\b|run-parts/i },
  { kind: "cron_run", identifier: /^systemd$/i, message: /\bStart(ed|ing) .*\.(timer|service).*\b(cron|daily|hourly|weekly|apt|update)/i },
  {
    kind: "modem_reset",
    identifier: /^(ModemManager|qmi-proxy|mbim-proxy|kernel)$/i,
    message:
      /\bmodem\b.*\b(reset|removed|disabled|state changed \((connected|registered) -> (disconnecting|disabling|searching|failed)\))|\bmodem reset\b/i,
  },
  {
    kind: "link_down",
    identifier: /^(kernel|systemd-networkd|NetworkManager)$/i,
    message:
      /\b(NIC )?Link is Down\b|\blink (becomes not ready|down)\b|carrier (off|lost)|\bLost carrier\b|state change: activated -> (deactivating|disconnected|failed|unavailable)/i,
  },
  {
    kind: "link_up",
    identifier: /^(kernel|systemd-networkd|NetworkManager)$/i,
    message: /\b(NIC )?Link is Up\b|\blink becomes ready\b|\bGained carrier\b|carrier (on|acquired)|state change: \S+ -> activated/i,
  },
  {
    kind: "network_state",
    identifier: /^NetworkManager$/i,
    message: /\bstate (change|is now)\b|\bconnectivity\b.*\b(changed|is now)|\bdevice \(.*\): (activation|disconnecting)/i,
  },
];

/** The system event a line is, or null when it is not one we recognise. */
export function classifySystemLogLine(line: SystemLogLine): SystemLogEvent | null {
  for (const rule of RULES) {
    if (rule.identifier && !rule.identifier.test(line.identifier)) continue;
    if (rule.message.test(line.message)) return { ...line, kind: rule.kind };
  }
  return null;
}
