import { randomBytes } from "node:crypto";
import { signInThroughApi } from "./api-sign-in.ts";
import { anonymous, asRole, createApiClient, expect, keepScreenshot, test } from "./fixtures.ts";

test.use(asRole("admin"));

test("admins add users, change roles and disable them; changes take effect at once", async ({ page, baseURL, browser }) => {
  if (!baseURL) throw new Error("baseURL is not configured");
  const email = `new-${randomBytes(4).toString("hex")}@e2e.linkscope.test`;
  const password = randomBytes(18).toString("base64url");

  await page.goto("/admin/users");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name").fill("New Person");
  await page.locator("select[name=role]").selectOption("viewer");
  await page.getByLabel("Password (empty: single sign-on only)").fill(password);
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("region", { name: "Add a user" }).getByRole("status")).toHaveText("User created.");
  const row = page.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: email });
  await expect(row).toContainText("active");

  // The new user signs in, through next-auth's endpoints as the form does (the form has its own tests in
  // sign-in.spec.ts), and is a viewer.
  const session = await signInThroughApi(baseURL, { email, password });
  expect(session.error).toBeNull();
  expect((await session.context.get("/api/v1/me")).status()).toBe(200);
  expect((await session.context.get("/api/v1/admin/users")).status()).toBe(403);

  // A role change ends the user's sessions, so the new role applies from their next sign-in.
  await row.getByRole("combobox", { name: `Role of ${email}` }).selectOption("admin");
  await expect(page.getByRole("region", { name: "Add a user" }).getByRole("status")).toHaveText(`Role of ${email} changed.`);
  expect((await session.context.get("/api/v1/me")).status()).toBe(401);
  await session.context.dispose();

  // Disabled, the user is refused at the sign-in form, and told so.
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("disabled");
  await keepScreenshot(page, "admin-users", { fullPage: true });
  const other = await browser.newPage({ storageState: anonymous.storageState });
  await other.goto("/signin");
  await other.getByLabel("Email").fill(email);
  await other.getByLabel("Password").fill(password);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText("Wrong email or password.");
  await other.close();

  const admin = await createApiClient(baseURL, "admin");
  const audit = (await (await admin.get("/api/v1/admin/audit?limit=500")).json()) as {
    events: { action: string; details: { email?: string } }[];
  };
  const actions = audit.events.filter((event) => event.details.email === email).map((event) => event.action);
  expect(actions).toEqual(expect.arrayContaining(["user.created", "user.role_changed", "user.disabled"]));
  await admin.dispose();
});

test("bad input to the user API answers 400 and a duplicate email 409, with the error shape", async ({ request }) => {
  const invalid = await request.post("/api/v1/admin/users", { data: { email: "not-an-email", role: "root", password: "short" } });
  expect(invalid.status()).toBe(400);
  const body = (await invalid.json()) as { error: { code: string; details: { path: string }[] } };
  expect(body.error.code).toBe("invalid_request");
  expect(body.error.details.map((issue) => issue.path).sort()).toEqual(["email", "password", "role"]);

  const duplicate = await request.post("/api/v1/admin/users", { data: { email: "viewer@e2e.linkscope.test" } });
  expect(duplicate.status()).toBe(409);
  expect((await duplicate.json()).error.code).toBe("user_exists");

  const form = await request.post("/api/v1/admin/users", { form: { email: "x@example.test" } });
  expect(form.status()).toBe(400);
  expect((await form.json()).error.code).toBe("invalid_content_type");
});
