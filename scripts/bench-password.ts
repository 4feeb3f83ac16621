// `npm run bench:password`: how long one password check costs with the production scrypt parameters.
import { hashPassword, verifyPassword } from "@/lib/auth/password.ts";

const RUNS = 10;
const stored = await hashPassword("benchmark password");
const times: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  await verifyPassword("benchmark password", stored);
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const [N, r, p] = stored.split("$").slice(1, 4);
console.log(
  `scrypt N=${N} r=${r} p=${p}: median ${times[Math.floor(RUNS / 2)]?.toFixed(0)} ms, min ${times[0]?.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms over ${RUNS} verifications`,
);
