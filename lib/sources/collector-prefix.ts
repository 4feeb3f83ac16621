import { monthOfName, type YearlessTime } from "@/lib/time/syslog-year.ts";

/** RFC 3339 with a zone, as journald (`-o short-iso`), rsyslog and container runtimes print it. */
const RFC3339 = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})`;
/**
 * `<time> <host> <tag>[pid]: `: syslog and journald, with an RFC 3339, Unix (`-o short-unix`) or BSD time (`Nov 14 22:13:27`,
 * `Dec  4 23:30:56` as syslog pads it, `Dec 4 …` as some relays write it).
 */
const SYSLOG_PREFIX = new RegExp(
  String.raw`^(${RFC3339}|\d{9,11}(?:\.\d+)?|[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}) \S+ [^\s:[\]]+(?:\[\d+\])?: (.*)$`,
);
/** `docker logs -t` and `kubectl logs --timestamps`: `<RFC 3339> ` before the container's own line. */
const CONTAINER_PREFIX = new RegExp(String.raw`^(${RFC3339}) (.*)$`);

/** The prefix a log collector (syslog, journald, a container runtime) put before a broker's own line, split off. */
export function splitCollectorPrefix(line: string): { stamp: string; rest: string } | null {
  const m = SYSLOG_PREFIX.exec(line) ?? CONTAINER_PREFIX.exec(line);
  return m ? { stamp: m[1] ?? "", rest: m[2] ?? "" } : null;
}

/** A BSD syslog time (`Dec  4 23:30:56`: no year, no zone), or null when the stamp is not one. */
export function readBsdTime(stamp: string): YearlessTime | null {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/.exec(stamp);
  const month = monthOfName(m?.[1] ?? "");
  if (!m || month < 0) return null;
  return { month, day: Number(m[2]), hour: Number(m[3]), minute: Number(m[4]), second: Number(m[5]), ms: 0 };
}
