import { readFileSync } from "node:fs";

/** /proc counts CPU time in clock ticks of 100 Hz. */
const CLOCK_TICK_MS = 10;

/**
 * A kB field of another process's /proc/<pid>/status: VmRSS (resident now) or VmHWM (the peak resident set since it
 * started). 0 once the process is gone. Linux only, like the benchmarks that read it.
 */
export function readProcessStatusKb(pid: number | undefined, field: "VmRSS" | "VmHWM"): number {
  if (pid === undefined) return 0;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) another process has used since it started, in ms, from /proc/<pid>/stat; 0 once it is gone. */
export function readProcessCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name, which may contain spaces: utime and stime are the 12th and 13th, in clock ticks (100 Hz).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return 0;
  }
}

/** The whole machine's CPU time since boot, busy (user, nice, system, irq, softirq, steal) and idle (idle, iowait), in ms. */
export function readMachineCpuMs(): { busyMs: number; idleMs: number } {
  // First line of /proc/stat: "cpu  user nice system idle iowait irq softirq steal …", in clock ticks.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    readFileSync("/proc/stat", "utf8").split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  return { busyMs: (user + nice + system + irq + softirq + steal) * CLOCK_TICK_MS, idleMs: (idle + iowait) * CLOCK_TICK_MS };
}
