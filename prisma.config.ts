import { defineConfig } from "prisma/config";

// process.env rather than env(): env() throws when DATABASE_URL is unset, which breaks `prisma generate`
// on a fresh checkout. The placeholder is never connected to.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://placeholder@127.0.0.1:5432/placeholder" },
});
