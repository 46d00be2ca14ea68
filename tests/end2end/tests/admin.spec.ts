import { test, expect } from "@playwright/test";
import { signIn, describeSignedIn, shot, expectPage, expectAccessible } from "./signin";

describeSignedIn("the trust lead", "trust@e2e.test", () => {
  test("adds an account and sees its password once, then disables it", async ({ page }) => {
    await expectPage(page, "/admin", "Accounts and tokens");
    const email = `new-${test.info().project.name}@e2e.test`;
    const add = page.locator("#add-user");
    await add.getByLabel("Email").fill(email);
    await add.getByLabel("Name").fill("New staff");
    await add.getByLabel("Role").selectOption("academy");
    await add.getByLabel("Academies (URNs, comma-separated)").fill("140101");
    await add.getByRole("button", { name: "Add" }).click();
    const flash = page.locator("#flash");
    await expect(flash).toContainText(`Added ${email}`);
    await expect(flash.locator("code.secret")).toHaveText(/^[0-9a-f]{18}$/);
    const row = page.locator("#users tbody tr", { hasText: email });
    await expect(row).toContainText("active");
    await page.screenshot({ path: shot("admin"), fullPage: true });
    // Shown once: gone on the next view.
    await page.goto("/admin");
    await expect(page.locator("#flash")).toHaveCount(0);
    await page.locator("#users tbody tr", { hasText: email }).getByRole("button", { name: "Disable" }).click();
    await expect(page.locator("#flash")).toContainText("can no longer sign in");
    await expect(page.locator("#users tbody tr", { hasText: email })).toContainText("disabled");
  });

  test("creates a token, sees its secret once, and revokes it", async ({ page }) => {
    await page.goto("/admin");
    const name = `Dashboard ${test.info().project.name}`;
    const add = page.locator("#add-token");
    await add.getByLabel("What uses it").fill(name);
    await add.getByLabel("Scope").selectOption("read");
    await add.getByRole("button", { name: "Create" }).click();
    const secret = await page.locator("#flash code.secret").textContent();
    expect(secret).toMatch(/^rc_[0-9a-f]{48}$/);
    const api = await page.request.get("/api/v1/summary", { headers: { Authorization: `Bearer ${secret}` } });
    expect(api.status()).toBe(200);
    await page.locator("#tokens tbody tr", { hasText: name }).getByRole("button", { name: "Revoke" }).click();
    await expect(page.locator("#flash")).toContainText("revoked");
    const after = await page.request.get("/api/v1/summary", { headers: { Authorization: `Bearer ${secret}` } });
    expect(after.status()).toBe(401);
  });

  test("filters the audit log and downloads it", async ({ page }) => {
    await page.goto("/audit?actor=trust%40e2e.test");
    await expect(page.locator("#audit-log tbody tr").first()).toContainText("trust@e2e.test");
    const href = await page.getByRole("link", { name: "Download as CSV" }).getAttribute("href");
    const csv = await page.request.get(href!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["cache-control"]).toContain("no-store");
    expect((await csv.text()).split("\n")[0]).toContain("logged_at_utc");
  });

  test("the accounts page has no serious accessibility problems", async ({ page }) => {
    await expectAccessible(page, "/admin", page.locator("#users"));
  });
});

for (const email of ["governor@e2e.test", "staff@e2e.test"]) {
  test(`${email} is refused the accounts page and the audit download`, async ({ page }) => {
    await signIn(page, email);
    const resp = await page.goto("/admin");
    expect(resp?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Not allowed");
    await expect(page.getByRole("link", { name: "Accounts" })).toHaveCount(0);
    const csv = await page.request.get("/audit.csv");
    expect(csv.status()).toBe(403);
  });
}
