import { existsSync, mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const CGROUP_ROOT = "/sys/fs/cgroup";
/**
 * The scheduler's accounting period. Short, so a process that used its share pauses for a few milliseconds: with the
 * kernel's default 100 ms, a throttled worker could sit on its batch's row locks for most of a period, a stall a
 * worker on a machine of its own never has.
 */
const PERIOD_US = 10_000;

/**
 * Puts process `pid` into a control group of its own that may use at most `cores` CPUs (cgroup v1's cpu controller or
 * cgroup v2's cpu.max; needs root). A benchmark on one machine uses it to stand in for processes that each have a
 * machine of their own. Returns the release, to call once the process has exited or is about to be stopped.
 */
export function limitProcessCpu(pid: number, cores: number): () => void {
  if (!(cores > 0)) throw new Error(`a CPU limit must be a positive number of cores, not ${cores}`);
  const quotaUs = Math.max(1_000, Math.round(cores * PERIOD_US));
  const unified = existsSync(path.join(CGROUP_ROOT, "cgroup.controllers"));
  const parent = unified ? CGROUP_ROOT : path.join(CGROUP_ROOT, "cpu");
  const group = path.join(parent, `linkscope-bench-${pid}`);
  try {
    mkdirSync(group);
    if (unified) writeFileSync(path.join(group, "cpu.max"), `${quotaUs} ${PERIOD_US}`);
    else {
      writeFileSync(path.join(group, "cpu.cfs_period_us"), String(PERIOD_US));
      writeFileSync(path.join(group, "cpu.cfs_quota_us"), String(quotaUs));
    }
    writeFileSync(path.join(group, "cgroup.procs"), String(pid));
  } catch (error) {
    if (existsSync(group)) rmdirSync(group);
    throw new Error(
      `could not limit process ${pid} to ${cores} CPUs in ${group} (root and a writable cpu cgroup controller are needed` +
        `${unified ? "; on cgroup v2, +cpu in cgroup.subtree_control" : ""}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return () => {
    try {
      writeFileSync(path.join(parent, "cgroup.procs"), String(pid));
    } catch {
      // The process has exited: its group is empty already.
    }
    rmdirSync(group);
  };
}
