import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseRetentionPolicy } from "./retention-policy.ts";
import { TABLE_BOUNDS } from "./table-bounds.ts";

const schema = readFileSync(path.join(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");
const schemaTables = [...schema.matchAll(/@@map\("([a-z_]+)"\)/g)].flatMap((match) => (match[1] ? [match[1]] : []));

describe("TABLE_BOUNDS", () => {
  it("says for every table of the schema what bounds it, and names no table the schema lacks", () => {
    const named = TABLE_BOUNDS.map((entry) => entry.table);
    expect(schemaTables.length).toBeGreaterThan(40);
    expect(schemaTables.filter((table) => !named.includes(table))).toEqual([]);
    expect(named.filter((table) => !table.startsWith("pgboss.") && !schemaTables.includes(table))).toEqual([]);
    expect(new Set(named).size).toBe(named.length);
  });

  it("words each bound from the effective policy", () => {
    const policy = parseRetentionPolicy({ RETENTION_EVENT_DAYS: "90", RETENTION_RAW_PAYLOAD_DAYS: "7" });
    const sessions = TABLE_BOUNDS.find((entry) => entry.table === "sessions");
    expect(sessions?.bound(policy)).toBe("ended sessions deleted after 90 days; open ones kept");
  });
});
