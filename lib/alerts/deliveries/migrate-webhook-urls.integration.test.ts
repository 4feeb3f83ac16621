import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrate.ts";

const MIGRATION = "20261202030000_alert_channels_and_deliveries";
const migrationsDir = path.resolve(import.meta.dirname, "../../../prisma/migrations");
const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe(`migration ${MIGRATION}`, () => {
  it("turns each rule's webhook URL into a webhook channel of that rule and keeps past delivery results without resending", async () => {
    const name = `linkscope_test_mig_${randomBytes(6).toString("hex")}`;
    await query(serverUrl, `CREATE DATABASE "${name}"`);
    cleanups.push(() => query(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

    // Everything before this migration, from a copy without it (and without any that sort after it).
    const before = await mkdtemp(path.join(os.tmpdir(), "linkscope-mig-"));
    cleanups.push(() => rm(before, { recursive: true, force: true }));
    await cp(migrationsDir, before, { recursive: true, filter: (source) => !source.includes(MIGRATION) });
    for (const entry of await readdir(before)) if (entry > MIGRATION) await rm(path.join(before, entry), { recursive: true });
    await applyMigrations(url, { migrationsDir: before });

    const rule = (id: string, ruleName: string, webhook: string | null) =>
      query(
        url,
        `INSERT INTO alert_rules (id, name, kind, params, window_ms, for_ms, clear_margin, clear_for_ms, webhook_url, created_by) VALUES ($1, $2, 'connected_below', '{"threshold": 3}', 60000, 0, 0, 0, $3, 'admin')`,
        [id, ruleName, webhook],
      );
    await rule("00000000-0000-4000-8000-000000000001", "Fleet down", "https://hooks.slack.com/services/T/B/secret1");
    await rule("00000000-0000-4000-8000-000000000002", "Fleet down", "https://example.com/hook2");
    await rule("00000000-0000-4000-8000-000000000003", "Quiet", null);
    const history = (status: string, error: string | null) =>
      query(
        url,
        `INSERT INTO alert_history (rule_id, rule_name, rule_kind, kind, subject, message, link, delivery_status, http_status, attempts, error, occurred_at) VALUES ('00000000-0000-4000-8000-000000000001', 'Fleet down', 'connected_below', 'fired', 'fleet', 'm', 'https://l/x', $1, $2, $3, $4, now()) RETURNING id`,
        [status, status === "delivered" ? 200 : null, status === "pending" ? 0 : 1, error],
      );
    await history("delivered", null);
    await history("failed", "HTTP 500");
    await history("pending", null);

    await applyMigrations(url);

    const channels = await query(
      url,
      `SELECT c.name, c.type::text, c.secrets->>'url' AS url, rc.rule_id FROM alert_channels c JOIN alert_rule_channels rc ON rc.channel_id = c.id ORDER BY rc.rule_id`,
    );
    expect(channels).toEqual([
      {
        name: "Fleet down webhook 1",
        type: "webhook",
        url: "https://hooks.slack.com/services/T/B/secret1",
        rule_id: "00000000-0000-4000-8000-000000000001",
      },
      { name: "Fleet down webhook 2", type: "webhook", url: "https://example.com/hook2", rule_id: "00000000-0000-4000-8000-000000000002" },
    ]);
    const deliveries = await query(
      url,
      `SELECT d.status::text, d.http_status, d.error, d.channel_name FROM alert_deliveries d ORDER BY d.history_id`,
    );
    expect(deliveries).toEqual([
      { status: "delivered", http_status: 200, error: null, channel_name: "Fleet down webhook 1" },
      { status: "gave_up", http_status: null, error: "HTTP 500", channel_name: "Fleet down webhook 1" },
      {
        status: "gave_up",
        http_status: null,
        error: "never sent (recorded before durable delivery)",
        channel_name: "Fleet down webhook 1",
      },
    ]);
    const columns = await query(
      url,
      `SELECT column_name FROM information_schema.columns WHERE table_name IN ('alert_rules', 'alert_history') AND column_name IN ('webhook_url', 'delivery_status')`,
    );
    expect(columns).toEqual([]);
  });
});
