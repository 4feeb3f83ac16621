/**
 * The plans behind the device diagnosis of bench:scale (the read over target at 10M): diagnoses sample `i` of the
 * measure script's devices once to warm the cache, then once more with auto_explain (ANALYZE, BUFFERS) on its single
 * connection, and prints every statement over `min_ms` with its plan and the wall time of each.
 *
 *   npx tsx scripts/bench-scale-explain.ts linkscope_scale_10m [i=0] [min_ms=1] [jit=off|on]
 *
 * The app's sessions run with jit = off (lib/db/client.ts, decision 055); `on` shows what JIT would add.
 * The server is TEST_DATABASE_URL's (default the local Postgres).
 */
import { createDb, getPgPool } from "@/lib/db/client.ts";
import { getDeviceDiagnosis } from "@/lib/queries/get-device-diagnosis.ts";
import { scaleDeviceId } from "@/lib/testing/scale-fleet.ts";

const SERVER_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
/** bench-scale.ts's SCALE_END (importing it would run that script). */
const END = new Date(Date.UTC(2026, 10, 22));
const DEVICES = 100_000;

const [name, sample = "0", minMs = "1", jit = "off"] = process.argv.slice(2);
if (!name || !/^linkscope_scale_[a-z0-9_]+$/.test(name) || !["on", "off"].includes(jit)) {
  console.error("usage: npx tsx scripts/bench-scale-explain.ts linkscope_scale_<db> [i] [min_ms] [jit=off|on]");
  process.exit(1);
}
const url = new URL(SERVER_URL);
url.pathname = `/${name}`;
// One connection, so the session settings below cover every statement of the read.
const db = createDb(url.toString(), 1);
try {
  // The same device the measure script diagnoses as sample i.
  const deviceId = scaleDeviceId((Number(sample) * 3_331) % DEVICES);
  await db.$queryRaw`SELECT set_config('jit', ${jit}, false)`;
  await getDeviceDiagnosis(db, { deviceId, now: END });
  const client = await getPgPool(db).connect();
  try {
    client.on("notice", (notice) => console.log(`${notice.message}\n`));
    await client.query("LOAD 'auto_explain'");
    for (const setting of [
      `auto_explain.log_min_duration = ${Number(minMs)}`,
      "auto_explain.log_analyze = on",
      "auto_explain.log_buffers = on",
      "auto_explain.log_level = notice",
    ])
      await client.query(`SET ${setting}`);
  } finally {
    client.release();
  }
  const t0 = performance.now();
  await getDeviceDiagnosis(db, { deviceId, now: END });
  console.log(`diagnosis of ${deviceId}: ${(performance.now() - t0).toFixed(1)} ms with auto_explain on, jit = ${jit}`);
} finally {
  await db.$disconnect();
}
