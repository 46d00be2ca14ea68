import { test, expect } from "@playwright/test";
import { signIn, describeSignedIn, ACADEMIES, shot, expectPage, expectAccessible, showWith } from "./signin";

describeSignedIn("as the trust lead", "trust@e2e.test", () => {
  test("action lists: a tab per list with its count, the rule, the pupils", async ({ page }) => {
    await expectPage(page, "/actions", "Action lists");
    const tabs = page.locator("nav.tabs a");
    await expect(tabs).toHaveCount(6);
    await expect(tabs.first()).toHaveAttribute("aria-current", "page");
    await expect(page.locator("p.rule")).toContainText("fell below 95%");
    expect(await page.locator("#action-list tbody tr").count()).toBeGreaterThan(0);
    await page.screenshot({ path: shot("actions"), fullPage: true });
    // The penalty-notice list, its windows' dates, and the academy filter in the URL.
    await page.getByRole("link", { name: /^Penalty-notice threshold/ }).click();
    await expect(page).toHaveURL(/list=penalty/);
    await expect(page.locator("#list-h")).toContainText("Penalty-notice threshold");
    await expect(page.locator("#action-list thead")).toContainText("From");
    await showWith(page, { Academy: { index: 1 } });
    await expect(page).toHaveURL(/academy=\d{6}/);
    await expect(page).toHaveURL(/list=penalty/);
  });

  test("a long list, worked through: sorted by a column, filtered by year group, a page at a time", async ({ page }) => {
    await page.goto("/actions?list=open-n");
    const heading = (await page.locator("#list-h").textContent())!;
    const whole = Number(heading.match(/\((\d+)\)/)![1]);
    const rows = page.locator("#action-list tbody tr");
    expect(await rows.count()).toBe(Math.min(whole, 50));
    // Sort by the pupil's name, then the other way round: links, with or without script.
    await page.locator("#action-list thead th a").first().click();
    await expect(page).toHaveURL(/sort=0/);
    await expect(page.locator("#action-list thead th").first()).toHaveAttribute("aria-sort", "ascending");
    const names = async () => (await page.locator("#action-list tbody th a").allTextContents()).map((n) => n.toLowerCase());
    const up = await names();
    expect(up).toEqual([...up].sort());
    await page.locator("#action-list thead th a").first().click();
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.locator("#action-list thead th").first()).toHaveAttribute("aria-sort", "descending");
    // The next page, when there is one, keeps the sort.
    if (whole > 50) {
      await page.getByRole("link", { name: "Next page" }).first().click();
      await expect(page).toHaveURL(/page=2/);
      await expect(page).toHaveURL(/dir=desc/);
      await expect(page.locator("nav.pages").first()).toContainText("Page 2 of");
    }
    // One year group: its pupils only, and the heading says how many of the whole.
    const year = (await page.locator("#action-list tbody tr td").first().textContent())!.trim();
    await showWith(page, { "Year group": { value: year } });
    await expect(page).toHaveURL(/year=/);
    const years = await page.locator("#action-list tbody tr td:nth-child(2)").allTextContents();
    expect(new Set(years.map((y) => y.trim()))).toEqual(new Set([year]));
    await page.screenshot({ path: shot("actions-sorted"), fullPage: true });
  });

  test("a pupil's page: their record and register, from the lists", async ({ page }) => {
    await page.goto("/actions?list=open-n");
    const link = page.locator("#action-list tbody tr th a").first();
    const name = (await link.textContent())!.trim();
    await link.click();
    await expect(page).toHaveURL(/\/academy\/\d{6}\/pupil\//);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    await expect(page.locator("#record")).toContainText("Date of birth");
    expect(await page.locator("#register tbody tr").count()).toBeGreaterThan(5);
    await expect(page.locator("#register td[title='Reason not yet provided']").first()).toBeVisible();
    await page.screenshot({ path: shot("pupil"), fullPage: true });
  });

  test("action lists: each downloads as CSV for Excel", async ({ page }) => {
    await page.goto("/actions?list=open-n");
    const href = await page.getByRole("link", { name: /Download as CSV/ }).getAttribute("href");
    expect(href).toContain("list=open-n");
    const csv = await page.request.get(href!);
    expect(csv.status()).toBe(200);
    const body = await csv.body();
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(body.subarray(3).toString("utf8").split("\n")[0]).toContain("urn,pupil_id");
  });

  test("data quality: extracts, rejections, registers, open N, coding", async ({ page }) => {
    const response = await page.goto("/data-quality");
    expect(response?.status()).toBe(200);
    await expect(page.locator("#extracts tbody tr")).toHaveCount(ACADEMIES);
    await expect(page.locator("#rejected")).toBeVisible();
    await expect(page.locator("#held-over")).toBeVisible();
    await expect(page.locator("#register-gaps")).toBeVisible();
    await expect(page.locator("#open-n")).toBeVisible();
    await expect(page.locator("#code-mix tbody tr")).toHaveCount(ACADEMIES + 1);
    await expect(page.locator("#coding-flags li").first()).toBeVisible();
    await page.screenshot({ path: shot("data-quality"), fullPage: true });
  });

  for (const path of ["/actions", "/data-quality"]) {
    test(`no serious accessibility violations on ${path}`, async ({ page }) => {
      await expectAccessible(page, path, page.locator("h2").first());
    });
  }
});

test("a governor has neither action lists nor data quality", async ({ page }) => {
  await signIn(page, "governor@e2e.test");
  await expect(page.getByRole("link", { name: "Action lists" })).toHaveCount(0);
  expect((await page.goto("/actions"))?.status()).toBe(403);
  expect((await page.goto("/data-quality"))?.status()).toBe(403);
});

test("academy staff see their own academy's lists only", async ({ page }) => {
  await signIn(page, "staff@e2e.test");
  await page.goto("/actions?list=certificates");
  const academies = await page.locator("#action-list tbody tr td:nth-child(3)").allTextContents();
  expect(new Set(academies).size).toBeLessThanOrEqual(1);
  expect((await page.goto("/actions?academy=140102"))?.status()).toBe(403);
});
