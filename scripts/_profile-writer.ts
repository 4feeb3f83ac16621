import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { parseAwsRecord } from "@/lib/sources/aws-iot.ts";
import { generateReconnectStorm } from "@/lib/testing/reconnect-storm.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
const records = generateReconnectStorm({ devices: Number(process.argv[2] ?? 2000), deviceIdPrefix: "p-", startMs: Date.UTC(2026, 11, 1, 12), spreadMs: 60_000 });
const events = records.flatMap((r) => { const p = parseAwsRecord(r); return p.ok ? p.events : []; });
const database = await createTestDatabase();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let tx = 0;
for (let i = 0; i < events.length; i += 500) { const t = performance.now(); await recordIngestBatch(database.db, { events: events.slice(i, i + 500) }); tx += performance.now() - t; }
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(`events ${events.length} wall ${wall.toFixed(0)} ms = ${(events.length / wall * 1000).toFixed(0)} ev/s; node cpu user ${(cpu.user / 1000).toFixed(0)} ms sys ${(cpu.system / 1000).toFixed(0)} ms`);
for (const [k, v] of (globalThis as any).__prof ?? []) console.log(`${v.toFixed(0).padStart(7)} ms ${k}`);
await database.drop();
