import { test, expect } from "@playwright/test";
import { signIn, describeSignedIn, ACADEMIES, shot, expectPage, expectAccessible, showWith, expectChart } from "./signin";

describeSignedIn("as the trust lead", "trust@e2e.test", () => {
  test("provision: shares, the half-term trend, placements, timetables and mismatches", async ({ page }) => {
    await expectPage(page, "/provision", "Alternative provision and reduced timetables");
    // Each academy and the trust, with the share of the roll.
    await expect(page.locator("#shares tbody tr")).toHaveCount(ACADEMIES + 1);
    await expect(page.locator("#shares tbody tr").last().locator("th")).toHaveText("Trust");
    await expectChart(page.locator("section.chart img"), "Pupils on AP and reduced timetables by half term");
    // The seed's secondary has placements and every trust has timetables.
    const placements = page.locator("#placements tbody tr");
    expect(await placements.count()).toBeGreaterThan(0);
    await expect(placements.first().locator("td").first()).toContainText(/by the (school|local authority)/);
    expect(await page.locator("#timetables tbody tr").count()).toBeGreaterThan(0);
    await expect(page.locator("#inconsistencies")).toBeVisible();
    await page.screenshot({ path: shot("provision"), fullPage: true });
  });

  test("provision: sorting and the academy filter live in the URL", async ({ page }) => {
    await page.goto("/provision");
    await page.getByRole("link", { name: "Most flags first" }).click();
    await expect(page).toHaveURL(/sort=flags/);
    await expect(page.getByRole("link", { name: "Most flags first" })).toHaveAttribute("aria-current", "page");
    const academy = page.getByRole("combobox", { name: "Academy" });
    const secondary = (await academy.locator("option").allTextContents()).find((t) => !t.includes("Primary") && t !== "All academies")!;
    await showWith(page, { Academy: { label: secondary } });
    await expect(page).toHaveURL(/academy=\d{6}/);
    await expect(page).toHaveURL(/sort=flags/);
    await expect(page.locator("#shares tbody tr")).toHaveCount(1);
    for (const cell of await page.locator("#placements tbody tr th small").allTextContents()) {
      expect(cell).toContain(secondary);
    }
  });

  test("provision: the printable half-termly report and its CSV", async ({ page }) => {
    await page.goto("/provision");
    // The seed's secondary, which has placements.
    await page.getByRole("link", { name: /^(?!.*Primary).*printable report$/ }).click();
    await expect(page).toHaveURL(/\/provision\/report\/\d{6}/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("alternative provision and reduced timetables");
    await expect(page.locator("section.headline > div")).toHaveCount(4);
    expect(await page.locator("#placements tbody tr").count()).toBeGreaterThan(0);
    const href = await page.getByRole("link", { name: "AP as CSV" }).getAttribute("href");
    const csv = await page.request.get(href!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    expect((await csv.text()).split("\n")[0]).toContain("pupil_id");
    // Print layout: no navigation, the tables only.
    await page.emulateMedia({ media: "print" });
    await expect(page.locator("header.top")).toBeHidden();
    await page.screenshot({ path: shot("provision-report-print"), fullPage: true });
  });

  test("no serious accessibility violations on /provision", async ({ page }) => {
    await expectAccessible(page, "/provision", page.locator("#shares"));
  });
});

test("a governor sees counts only, and no report", async ({ page }) => {
  await signIn(page, "governor@e2e.test");
  await page.goto("/provision");
  await expect(page.locator("#shares tbody tr")).toHaveCount(1);
  await expect(page.locator("#placements")).toHaveCount(0);
  await expect(page.locator("p.note").first()).toContainText("x: fewer than");
  const response = await page.goto("/provision/report/140101");
  expect(response?.status()).toBe(403);
  await page.goto("/provision");
  await page.screenshot({ path: shot("provision-governor"), fullPage: true });
});
