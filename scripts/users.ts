/**
 * `npm run users -- <command>`: manage accounts from the server's command line (no sign-in needed: whoever can run
 * this can read the database anyway). Uses DATABASE_URL, else the embedded database of a running `npm start`,
 * else opens the embedded database itself.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { generatePassword } from "@/lib/auth/password.ts";
import { RoleSchema } from "@/lib/auth/roles.ts";
import { createUser, findUserByEmail, listUsers, resetUserPassword } from "@/lib/auth/users.ts";
import { createDb, type Db } from "@/lib/db/client.ts";
import { readEmbeddedDatabaseUrl } from "@/demo/db/embedded-database-url.ts";
import { startEmbeddedPostgres } from "@/demo/db/embedded-postgres.ts";
import { applyMigrations } from "@/lib/db/migrate.ts";
import {} from "@/lib/errors/domain-errors.ts";
import { describeZodError } from "@/lib/validation/zod-issues.ts";
import { ZodError } from "zod";

const USAGE = `Usage: npm run users -- <command> [options]

  list                                         all users with role and status
  create --email <email> [--role viewer|support|admin] [--name <name>] [--password-stdin]
                                               add a user; without --password-stdin a password is generated and printed once
  reset-password --email <email> [--password-stdin]
                                               set a new password (generated and printed once unless read from stdin);
                                               ends the user's sessions

Database: DATABASE_URL, else the running npm start's embedded database, else the embedded database in
LINKSCOPE_DATA_DIR (default .data).`;

async function readStdinPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function openDatabase(): Promise<{ db: Db; close(): Promise<void> }> {
  const dataDir = process.env.LINKSCOPE_DATA_DIR ?? path.resolve(import.meta.dirname, "..", ".data");
  const url = process.env.DATABASE_URL ?? (await readEmbeddedDatabaseUrl(dataDir));
  if (url) {
    const db = createDb(url, 1);
    return { db, close: () => db.$disconnect() };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pglite"), maxConnections: 2 });
  await applyMigrations(embedded.url);
  const db = createDb(embedded.url, 1);
  return {
    db,
    async close() {
      await db.$disconnect();
      await embedded.stop();
    },
  };
}

/** Where the command reads, writes and finds its database: the process's by default, a test's in tests. */
export type UsersCliIo = {
  print(line: string): void;
  printError(line: string): void;
  readStdinPassword(): Promise<string>;
  openDatabase(): Promise<{ db: Db; close(): Promise<void> }>;
};

const PROCESS_IO: UsersCliIo = {
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
  readStdinPassword,
  openDatabase,
};

/** Runs one `npm run users` command and returns its exit code; errors are explained on `printError`, never thrown. */
export async function runUsersCli(argv: string[], io: UsersCliIo = PROCESS_IO): Promise<number> {
  try {
    return await runUsersCommand(argv, io);
  } catch (error) {
    const message = error instanceof ZodError ? describeZodError(error) : error instanceof Error ? error.message : String(error);
    io.printError(`users: ${message}`);
    return 1;
  }
}

async function runUsersCommand(argv: string[], io: UsersCliIo): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      "password-stdin": { type: "boolean" },
      help: { type: "boolean" },
    },
    allowPositionals: false,
  });
  if (!command || values.help || !["list", "create", "reset-password"].includes(command)) {
    io.print(USAGE);
    return command && !values.help ? 1 : 0;
  }
  if (command !== "list" && !values.email) throw new Error(`${command} needs --email`);
  const password = values["password-stdin"] ? await io.readStdinPassword() : null;
  const { db, close } = await io.openDatabase();
  try {
    if (command === "list") {
      const users = await listUsers(db);
      if (users.length === 0) io.print("No users yet.");
      for (const user of users) {
        io.print(
          `${user.email.padEnd(36)} ${user.role.padEnd(8)} ${user.disabled ? "disabled" : "active  "} ${user.hasPassword ? "password" : "sso only"}  ${user.name ?? ""}`,
        );
      }
    } else if (command === "create") {
      const role = RoleSchema.parse(values.role ?? "viewer");
      const chosen = password ?? generatePassword();
      const user = await createUser(db, { email: values.email ?? "", role, name: values.name, password: chosen }, CLI_ACTOR);
      io.print(`Created ${user.email} (${user.role}).`);
      if (!password) io.print(`Password: ${chosen}   (shown once)`);
    } else {
      const user = await findUserByEmail(db, values.email ?? "");
      if (!user) throw new Error(`No user with the email ${values.email}.`);
      const chosen = password ?? generatePassword();
      await resetUserPassword(db, user.id, chosen, CLI_ACTOR);
      io.print(`Password of ${user.email} reset; their sessions have ended.`);
      if (!password) io.print(`New password: ${chosen}   (shown once)`);
    }
  } finally {
    await close();
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runUsersCli(process.argv.slice(2));
}
