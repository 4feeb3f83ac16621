// Where a benchmarked worker allocates, from start to exit: V8's sampling heap profiler with the objects garbage
// collection already freed kept in, so the profile is every allocation (one sample per 16 KiB), not what stayed live.
//   NODE_OPTIONS="--import $PWD/scripts/bench-worker-allocation-hook.mjs" npm run bench:ingest -- 100000 worker
// writes <BENCH_PROFILE_DIR, default /tmp/worker-profiles>/worker-<pid>.heapprofile (open it in Chrome DevTools,
// Memory tab). Only worker processes (worker/main) profile themselves; the bench's own process and tsx do not.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";

if (process.argv.some((arg) => arg.replaceAll("\\", "/").includes("worker/main"))) {
  const dir = process.env.BENCH_PROFILE_DIR ?? "/tmp/worker-profiles";
  const session = new Session();
  session.connect();
  session.post("HeapProfiler.enable");
  session.post("HeapProfiler.startSampling", {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  // The worker exits through process.exit after SIGTERM; an in-process session answers synchronously, even here.
  process.on("exit", () => {
    session.post("HeapProfiler.stopSampling", (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/worker-${process.pid}.heapprofile`, JSON.stringify(result.profile));
    });
  });
}
