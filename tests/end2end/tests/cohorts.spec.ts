import { test, expect } from "@playwright/test";
import { signIn, describeSignedIn, ACADEMIES, shot, expectPage, expectAccessible, showWith, expectChart } from "./signin";

describeSignedIn("as the trust lead", "trust@e2e.test", () => {
  test("cohorts: gaps against England and last year, a chart each, the seed's FSM gap", async ({ page }) => {
    await expectPage(page, "/cohorts", "Cohorts");
    const gaps = page.locator("#gap-summary tbody tr");
    await expect(gaps).toHaveCount(6);
    // FSM pupils miss more school than others in the seed trust, as nationally.
    const fsm = gaps.filter({ hasText: "FSM against not FSM" });
    const gap = parseFloat((await fsm.locator("td").nth(1).textContent())!);
    expect(gap).toBeGreaterThan(1);
    await expect(fsm.locator("td").nth(2)).toHaveText("+4.8 pp");
    // A chart per gap, each with a title, text alternative and a table behind it.
    await expect(page.locator("div.gap-charts figure img")).toHaveCount(6);
    await expectChart(page.locator("#gap-fsm img"), "Absence gap: FSM against Not FSM");
    await expect(page.locator("#gap-fsm details tbody tr")).toHaveCount(ACADEMIES + 1);
    // Trust and each academy side by side.
    await expect(page.locator("#cohort-table thead th[scope=colgroup]")).toHaveCount(ACADEMIES + 1);
    await page.screenshot({ path: shot("cohorts"), fullPage: true });
  });

  test("cohorts: combined filters and the dimension live in the URL", async ({ page }) => {
    await page.goto("/cohorts");
    await showWith(page, { Sex: "F", "Free school meals": "Y" });
    await expect(page).toHaveURL(/sex=F/);
    await expect(page).toHaveURL(/fsm=Y/);
    await expect(page.locator("p.scope-note .filter-summary")).toHaveText("Girls, FSM");
    await page.getByRole("link", { name: "Year group", exact: true }).click();
    await expect(page).toHaveURL(/by=year_group/);
    await expect(page.getByRole("heading", { name: "By year group" })).toBeVisible();
    await expect(page.locator("p.scope-note .filter-summary")).toHaveText("Girls, FSM");
    // A group's name narrows the filter to it.
    await page.locator("#cohort-table tbody tr:not(.total) th a").first().click();
    await expect(page).toHaveURL(/year_group=/);
    await expect(page.locator("p.scope-note .filter-summary")).toHaveText(/^Girls, (Nursery \(N\d\)|Reception|Year \d+), FSM$/);
    await page.getByRole("link", { name: "Clear the filters" }).click();
    await expect(page.locator("p.scope-note .filter-summary")).toHaveText("All pupils");
  });

  test("heatmaps: academy by week, with values on hover, links and a table", async ({ page }) => {
    const response = await page.goto("/heatmaps");
    expect(response?.status()).toBe(200);
    const svg = page.locator("#heatmap svg");
    await expect(svg.locator("> title")).toHaveText("Persistent absence to date, week by week");
    // The trust and its academies, each a row of week cells with their figures on hover.
    const cells = svg.locator("rect title");
    expect(await cells.count()).toBeGreaterThanOrEqual((ACADEMIES + 1) * 10);
    await expect(cells.first()).toContainText("persistently absent");
    await expect(svg.locator("a[href^='/academy/']").first()).toBeAttached();
    await page.locator("#heatmap summary").click();
    await expect(page.locator("#heatmap table tbody tr")).toHaveCount(ACADEMIES + 1);
    await showWith(page, { Measure: "rolling-absence" });
    await expect(page).toHaveURL(/measure=rolling-absence/);
    await expect(page.locator("#heatmap svg > title")).toHaveText("Absence over the last four school weeks");
    await page.screenshot({ path: shot("heatmap-weeks"), fullPage: true });
  });

  test("heatmaps: the Friday afternoon pattern shows by day and session", async ({ page }) => {
    await page.goto("/heatmaps?kind=day-session");
    await expect(page.locator("#heatmap svg > title")).toHaveText("Absence by day and session");
    const trust = page.locator("#heatmap table tbody tr").first();
    const values = (await trust.locator("td").allTextContents()).map((t) => parseFloat(t));
    expect(values).toHaveLength(10);
    // Friday PM is the last column: the highest of the week.
    expect(Math.max(...values)).toBe(values[9]);
    await page.screenshot({ path: shot("heatmap-days"), fullPage: true });
  });

  test("heatmaps: year groups and one academy's persistent absentees", async ({ page }) => {
    await page.goto("/heatmaps?kind=academy-year");
    await expect(page.locator("#heatmap svg > title")).toHaveText("Persistent absence by year group");
    await expect(page.locator("#heatmap svg a[href*='year_group=']").first()).toBeAttached();
    await page.getByRole("link", { name: "Persistent absentees by week" }).click();
    await expect(page).toHaveURL(/kind=pupils/);
    await expect(page.locator("p.note")).toContainText("persistently absent pupils at");
    await expect(page.locator("#heatmap svg > title")).toContainText("Persistent absentees at");
    // Each pupil's row and cells lead to their register.
    await expect(page.locator("#heatmap svg a[href*='/pupil/']").first()).toBeAttached();
    await page.screenshot({ path: shot("heatmap-pupils"), fullPage: true });
  });

  for (const path of ["/cohorts", "/heatmaps", "/heatmaps?kind=day-session"]) {
    test(`no serious accessibility violations on ${path}`, async ({ page }) => {
      await expectAccessible(page, path, page.locator("p.scope-note"));
    });
  }
});

test("a governor gets aggregates only: no pupil heatmap", async ({ page }) => {
  await signIn(page, "governor@e2e.test");
  await page.goto("/heatmaps");
  await expect(page.locator("#heatmap svg")).toBeVisible();
  await expect(page.getByRole("link", { name: "Persistent absentees by week" })).toHaveCount(0);
  const response = await page.goto("/heatmaps?kind=pupils");
  expect(response?.status()).toBe(403);
  await page.goto("/cohorts?by=ethnicity");
  await expect(page.locator("p.note")).toContainText("shown as x");
  await page.screenshot({ path: shot("cohorts-governor"), fullPage: true });
});
