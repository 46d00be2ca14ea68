import { test, expect } from "@playwright/test";
import { signIn, describeSignedIn, shot, skipAxeWithoutJs, seriousViolations, expectAccessible, expectChart } from "./signin";

describeSignedIn("as academy staff", "staff@e2e.test", () => {
  test("sef: from the academy page, strengths and concerns and every section", async ({ page }) => {
    await page.goto("/academy/140101");
    await page.getByRole("link", { name: "Self-evaluation pack" }).click();
    await expect(page).toHaveURL(/\/academy\/140101\/sef$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("attendance self-evaluation");
    await expect(page.getByRole("heading", { name: "Strengths" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Concerns" })).toBeVisible();
    // Each finding quotes a figure.
    for (const item of await page.locator("section.findings li").allTextContents()) {
      expect(item).toMatch(/\d+\.\d|None stand out/);
    }
    await expect(page.locator("section.sef")).toHaveCount(7);
    await expect(page.locator("section.sef div.chart img")).toHaveCount(4);
    await expectChart(page.locator("section.sef div.chart img").first(), /\S/);
    await expect(page.locator("#sef-year-to-date + table tbody tr").first()).toContainText("2024/25 to date");
    await page.screenshot({ path: shot("sef"), fullPage: true });
  });

  test("sef: every table as CSV, every chart as SVG and PNG, the pack as PDF", async ({ page }) => {
    await page.goto("/academy/140101/sef");
    const links = page.locator("ul.downloads a");
    await expect(links).toHaveCount(7 + 2 * 4);
    const expected: Record<string, string> = { csv: "text/csv", svg: "image/svg+xml", png: "image/png" };
    for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")!))) {
      const res = await page.request.get(href);
      expect(res.status(), href).toBe(200);
      const ext = href.match(/\.(csv|svg|png)\?/)![1];
      expect(res.headers()["content-type"]).toContain(expected[ext]);
    }
    const pdf = await page.request.get(
      (await page.getByRole("link", { name: "Download the pack (PDF)" }).getAttribute("href"))!,
    );
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    const gaps = await page.request.get("/academy/140101/sef/gaps.csv");
    expect((await gaps.text()).split("\n")[1]).toMatch(/^FSM against not FSM,-?\d+\.\d,/);
  });

  test("no serious accessibility violations on the pack", async ({ page }) => {
    await expectAccessible(page, "/academy/140101/sef", page.locator("section.sef").first());
  });
});

test("a governor may not open the pack, nor another academy's staff", async ({ page }) => {
  await signIn(page, "governor@e2e.test");
  expect((await page.goto("/academy/140101/sef"))?.status()).toBe(403);
  expect((await page.request.get("/academy/140101/sef.pdf")).status()).toBe(403);
  await signIn(page, "staff@e2e.test");
  expect((await page.goto("/academy/140102/sef"))?.status()).toBe(403);
  // The refusal comes in the app's frame: a title, and the navigation for who is in.
  await expect(page).toHaveTitle("Not allowed · Rollcall");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Overview" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Action lists" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Not allowed");
});

test("error pages pass axe: a refusal and an unknown page", async ({ page }) => {
  skipAxeWithoutJs();
  await signIn(page, "staff@e2e.test");
  for (const [path, status] of [["/academy/140102/sef", 403], ["/no-such-page", 404]] as const) {
    expect((await page.goto(path))?.status()).toBe(status);
    expect(await seriousViolations(page, (v) => `${path} ${v.id}: ${v.help}`)).toEqual([]);
  }
});
