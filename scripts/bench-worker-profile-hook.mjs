// CPU profile of a benchmarked worker, from start to exit (decision 045). Node 20 refuses --cpu-prof in NODE_OPTIONS
// but allows --import, and the benchmarks start the worker themselves, so:
//   BENCH_WORKER_ENV="NODE_OPTIONS=--import $PWD/scripts/bench-worker-profile-hook.mjs" npm run bench:worker-backlog
// writes <BENCH_PROFILE_DIR, default /tmp/worker-profiles>/worker-<pid>.cpuprofile (open it in Chrome DevTools).
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const dir = process.env.BENCH_PROFILE_DIR ?? "/tmp/worker-profiles";
const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval: 500 });
session.post("Profiler.start");
// The worker exits through process.exit after SIGTERM; an in-process session answers synchronously, even here.
process.on("exit", () => {
  session.post("Profiler.stop", (error, result) => {
    if (error) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/worker-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
  });
});
