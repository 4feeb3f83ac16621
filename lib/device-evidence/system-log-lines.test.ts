import { describe, expect, it } from "vitest";
import { readSystemLog, toSystemLogEvents } from "./system-log.ts";
import { classifySystemLogLine, parseJournalJsonRecord, parseSystemLogTextLine, type SyslogClock } from "./system-log-lines.ts";

const clock: SyslogClock = { reference: new Date("2026-12-01T12:00:00Z"), utcOffsetMinutes: 0 };

function kindOf(line: string): string | null {
  const parsed = parseSystemLogTextLine(line, clock);
  return parsed ? (classifySystemLogLine(parsed)?.kind ?? null) : "unreadable";
}

describe("parseSystemLogTextLine", () => {
  it("reads journalctl -o short-iso lines with their zone", () => {
    const line = parseSystemLogTextLine(
      "2026-11-30T10:15:02+0100 gateway-7 NetworkManager[612]: <info>  [1732957302.1234] device (wlan0): state change: activated -> deactivating",
      clock,
    );
    expect(line).toMatchObject({ identifier: "NetworkManager", form: "journal" });
    expect(line?.at.toISOString()).toBe("2026-11-30T09:15:02.000Z");
    expect(parseSystemLogTextLine("2026-11-30T10:15:02.123456+00:00 gw kernel: wlan0: deauthenticating", clock)?.at.toISOString()).toBe(
      "2026-11-30T10:15:02.123Z",
    );
  });

  it("reads classic syslog lines in the reference year, and in the year before when that would be in the future", () => {
    expect(
      parseSystemLogTextLine("Nov 30 10:15:02 gw dhclient[901]: DHCPACK of 192.168.1.23 from 192.168.1.1", clock)?.at.toISOString(),
    ).toBe("2026-11-30T10:15:02.000Z");
    // A log spanning New Year read on Jan 2: December lines belong to the year before.
    const january: SyslogClock = { reference: new Date("2027-01-02T08:00:00Z"), utcOffsetMinutes: 0 };
    expect(parseSystemLogTextLine("Dec 31 23:59:58 gw CRON[1]: (root) CMD (backup)", january)?.at.toISOString()).toBe(
      "2026-12-31T23:59:58.000Z",
    );
    expect(parseSystemLogTextLine("Jan  2 07:00:00 gw CRON[1]: (root) CMD (backup)", january)?.at.toISOString()).toBe(
      "2027-01-02T07:00:00.000Z",
    );
    // The device clock's zone, when the uploader names it.
    expect(parseSystemLogTextLine("Nov 30 10:15:02 gw CRON[1]: (root) CMD (x)", { ...clock, utcOffsetMinutes: 60 })?.at.toISOString()).toBe(
      "2026-11-30T09:15:02.000Z",
    );
  });

  it("keeps one log monotonic across New Year in the year the uploader gives, and flags how each year was found", () => {
    const log = ["Dec 31 23:59:58 gw CRON[1]: (root) CMD (backup)", "Jan  1 00:05:00 gw CRON[1]: (root) CMD (backup)"].join("\n");
    const given = readSystemLog(log, { reference: new Date("2027-06-01T00:00:00Z"), year: 2025, utcOffsetMinutes: 0 });
    expect(given.systemEvents.map((event) => [event.at.toISOString(), event.yearFlag])).toEqual([
      ["2025-12-31T23:59:58.000Z", "year_given_at_import"],
      ["2026-01-01T00:05:00.000Z", "year_given_at_import"],
    ]);
    const inferred = readSystemLog(log, { reference: new Date("2027-06-01T00:00:00Z"), utcOffsetMinutes: 0 });
    expect(toSystemLogEvents("d", inferred.systemEvents).map((event) => [event.occurredAt.toISOString(), event.flags])).toEqual([
      ["2026-12-31T23:59:58.000Z", ["year_inferred"]],
      ["2027-01-01T00:05:00.000Z", ["year_inferred"]],
    ]);
  });

  it("returns null for lines in no known form", () => {
    expect(parseSystemLogTextLine("-- Boot 3f2a --", clock)).toBeNull();
    expect(parseSystemLogTextLine("    continuation of a stack trace", clock)).toBeNull();
    expect(parseSystemLogTextLine("Foo 30 10:15:02 gw x: y", clock)).toBeNull();
  });
});

describe("parseJournalJsonRecord", () => {
  it("reads journalctl -o json records, byte-array messages included", () => {
    const record = {
      __REALTIME_TIMESTAMP: "1764497702123456",
      SYSLOG_IDENTIFIER: "wpa_supplicant",
      MESSAGE: "wlan0: CTRL-EVENT-DISCONNECTED bssid=aa:bb:cc:dd:ee:ff reason=4 locally_generated=1",
    };
    expect(parseJournalJsonRecord(record)).toMatchObject({ identifier: "wpa_supplicant", form: "journal", at: new Date(1764497702123) });
    const bytes = {
      __REALTIME_TIMESTAMP: "1764497702000000",
      _TRANSPORT: "kernel",
      MESSAGE: [...Buffer.from("e1000e: eth0 NIC Link is Down")],
    };
    expect(parseJournalJsonRecord(bytes)).toMatchObject({ identifier: "kernel", message: "e1000e: eth0 NIC Link is Down" });
  });

  it("returns null without a time or a message", () => {
    expect(parseJournalJsonRecord({ MESSAGE: "x" })).toBeNull();
    expect(parseJournalJsonRecord({ __REALTIME_TIMESTAMP: "1764497702000000" })).toBeNull();
    expect(parseJournalJsonRecord(["x"])).toBeNull();
  });
});

describe("classifySystemLogLine", () => {
  it.each([
    [
      "Nov 30 10:15:02 gw NetworkManager[612]: <info>  [1.2] device (wlan0): state change: activated -> deactivating (reason 'supplicant-timeout')",
      "link_down",
    ],
    ["Nov 30 10:15:02 gw NetworkManager[612]: <info>  [1.2] manager: NetworkManager state is now CONNECTED_LOCAL", "network_state"],
    ["Nov 30 10:15:02 gw wpa_supplicant[700]: wlan0: CTRL-EVENT-DISCONNECTED bssid=aa:bb:cc:dd:ee:ff reason=4", "wifi_disconnect"],
    [
      "Nov 30 10:15:02 gw wpa_supplicant[700]: wlan0: SME: Trying to authenticate with 11:22:33:44:55:66 (SSID='plant' freq=5180 MHz)",
      "wifi_roam",
    ],
    ["Nov 30 10:15:02 gw dhclient[901]: DHCPREQUEST for 192.168.1.23 on wlan0 to 192.168.1.1 port 67", "dhcp_renewal"],
    [
      "Nov 30 10:15:02 gw systemd-networkd[400]: wlan0: DHCPv4 address 192.168.1.23/24, gateway 192.168.1.1 acquired from 192.168.1.1",
      "dhcp_renewal",
    ],
    ["Nov 30 10:15:02 gw dhcpcd[300]: wlan0: leased 192.168.1.23 for 86400 seconds", "dhcp_renewal"],
    ["Nov 30 10:15:02 gw NetworkManager[612]: <info>  [1.2] dhcp4 (wlan0): state changed bound -> extended", "dhcp_renewal"],
    ["Nov 30 10:15:02 gw systemd-sleep[2100]: Entering sleep state 'suspend'...", "suspend"],
    ["Nov 30 10:15:02 gw kernel: PM: suspend exit", "resume"],
    ["Nov 30 10:15:02 gw CRON[3100]: (root) CMD (/usr/local/bin/rotate-logs.sh)", "cron_run"],
    ["Nov 30 10:15:02 gw kernel: e1000e 0000:00:19.0 eth0: NIC Link is Down", "link_down"],
    ["Nov 30 10:15:02 gw kernel: IPv6: ADDRCONF(NETDEV_CHANGE): wlan0: link becomes ready", "link_up"],
    [
      "Nov 30 10:15:02 gw ModemManager[500]: <info>  modem /org/freedesktop/ModemManager1/Modem/0: state changed (connected -> disconnecting)",
      "modem_reset",
    ],
    ["Nov 30 10:15:02 gw sshd[4000]: Accepted publickey for pi from 10.0.0.2", null],
    ["Nov 30 10:15:02 gw myapp[4000]: suspend the upload queue", null],
  ])("%s → %s", (line, kind) => {
    expect(kindOf(line)).toBe(kind);
  });
});
