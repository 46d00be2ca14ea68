import { test, expect } from "@playwright/test";
import { signInBeforeEach, ACADEMIES, shot, expectPage, skipAxeWithoutJs, seriousViolations, expectAccessible, expectChart } from "./signin";

signInBeforeEach("trust@e2e.test");

test("the trust overview shows every academy against last year and England", async ({ page }) => {
  await expectPage(page, "/", "Trust overview");
  await expect(page.locator("p.scope-note")).toContainText("All on roll");
  const rows = page.locator("table.overview tbody tr");
  await expect(rows).toHaveCount(ACADEMIES);
  // Rates are percentages to one decimal place; England is there for each phase.
  await expect(rows.first().locator("td").nth(1)).toHaveText(/^\d+\.\d%$/);
  await expect(rows.first().locator("td").nth(6)).toContainText("%");
  // The trend chart has a title and a text alternative, and a data table beside it.
  await expectChart(page.locator("section.chart img").first(), "Trust absence by week");
  await expect(page.locator("section.chart details table tbody tr").first()).toBeAttached();
  await expect(page.locator("div.multiples img")).toHaveCount(ACADEMIES);
  await expectChart(page.locator("div.multiples img").first(), /\S/);
  await page.screenshot({ path: shot("overview"), fullPage: true });
});

test("window and scope live in the URL and survive navigation", async ({ page }) => {
  await page.goto("/?window=ytd&scope=dfe");
  await expect(page.locator("p.scope-note")).toContainText("DfE comparable");
  await page.goto("/?window=custom&from=2025-01-06&to=2025-01-31&scope=all");
  await expect(page.locator("p.scope-note")).toContainText("6 Jan 2025 to 31 Jan 2025");
  await page.goBack();
  await expect(page.locator("p.scope-note")).toContainText("DfE comparable");
});

test("this half term is each academy's own: its dates under its name", async ({ page }) => {
  // The e2e trust's second and sixth academies take their February half term a week
  // after the others: on 14 March 2025 their half term started a week later.
  await page.goto("/?window=half-term");
  await expect(page.locator("p.scope-note")).toContainText("each academy's own");
  await expect(page.locator("p.rule").first()).toContainText("sum of its academies' own windows");
  const own = page.locator("table.overview tbody tr th small.own-window");
  await expect(own).toHaveCount(ACADEMIES);
  const dates = new Set(await own.allTextContents());
  expect(dates.size).toBe(2);
  await page.screenshot({ path: shot("overview-half-term"), fullPage: true });
});

test("sorting by absence orders the rows", async ({ page }) => {
  await page.goto("/?window=ytd&scope=all&sort=absence&dir=desc");
  const cells = page.locator("table.overview tbody tr td:nth-child(4) a");
  await expect(cells).toHaveCount(ACADEMIES);
  const values = (await cells.allTextContents()).map((t) => parseFloat(t));
  expect([...values].sort((a, b) => b - a)).toEqual(values);
});

test("an academy page has its figures, trend, reasons, days and year groups", async ({ page }) => {
  await page.goto("/");
  const link = page.locator("table.overview tbody tr th a").first();
  const name = (await link.textContent())!.trim();
  await link.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(page.locator("#reasons tbody tr").first()).toBeAttached();
  await expect(page.locator("#days tbody tr")).toHaveCount(5);
  await expect(page.locator("#year-groups tbody tr").first()).toBeAttached();
  await expectChart(page.locator("section.chart img").first(), /Weekly overall absence/);
  await page.screenshot({ path: shot("academy"), fullPage: true });
});

test("an unknown academy is a 404", async ({ page }) => {
  const response = await page.goto("/academy/999999");
  expect(response?.status()).toBe(404);
});

for (const path of ["/", "/loads"]) {
  test(`no serious accessibility violations on ${path}`, async ({ page }) => {
    await expectAccessible(page, path);
  });
}

test("no serious accessibility violations on an academy page", async ({ page }) => {
  skipAxeWithoutJs();
  await page.goto("/");
  await page.locator("table.overview tbody tr th a").first().click();
  await expect(page.locator("#reasons")).toBeAttached();
  expect(await seriousViolations(page, (v) => `${v.id}: ${v.help}`)).toEqual([]);
});
