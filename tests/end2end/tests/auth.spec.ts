import { test, expect } from "@playwright/test";
import { PASSWORD, signIn, ACADEMIES, shot, skipAxeWithoutJs, seriousViolations } from "./signin";

test("signed out, every page leads to sign-in and back", async ({ page }) => {
  await page.goto("/academy/140101?window=ytd");
  await expect(page).toHaveURL(/\/signin\?next=/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  await page.screenshot({ path: shot("signin") });
  await page.getByLabel("Email").fill("trust@e2e.test");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/academy\/140101\?window=ytd$/);
});

test("a wrong password says so and signs nobody in", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill("trust@e2e.test");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("do not match");
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
});

test("the trust role sees every academy and the audit log", async ({ page }) => {
  await signIn(page, "trust@e2e.test");
  await expect(page.locator("table.overview tbody tr")).toHaveCount(ACADEMIES);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Audit log");
  await expect(page.locator("table.data tbody")).toContainText("sign-in");
  await page.screenshot({ path: shot("audit"), fullPage: true });
});

test("academy staff see their academy only", async ({ page }) => {
  await signIn(page, "staff@e2e.test");
  await expect(page.locator("table.overview tbody tr")).toHaveCount(1);
  await expect(page.locator("form.signout")).toContainText("Academy staff (academy)");
  await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  const response = await page.goto("/academy/140102");
  expect(response?.status()).toBe(403);
  await page.goto("/");
  await page.screenshot({ path: shot("role-academy"), fullPage: true });
});

test("a governor sees their academy's aggregates", async ({ page }) => {
  await signIn(page, "governor@e2e.test");
  await expect(page.locator("table.overview tbody tr")).toHaveCount(1);
  const response = await page.goto("/audit");
  expect(response?.status()).toBe(403);
  await page.goto("/academy/140101");
  await expect(page.locator("#year-groups")).toBeVisible();
  await page.screenshot({ path: shot("role-governor"), fullPage: true });
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, "trust@e2e.test");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.goto("/loads");
  await expect(page).toHaveURL(/\/signin\?next=/);
});

test("the sign-in page has no serious accessibility violations", async ({ page }) => {
  skipAxeWithoutJs();
  await page.goto("/signin");
  expect(await seriousViolations(page, (v) => `${v.id}: ${v.help}`)).toEqual([]);
});
