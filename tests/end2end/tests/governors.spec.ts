import { test, expect, Page } from "@playwright/test";
import { signIn, describeSignedIn, ACADEMIES, shot, expectPage, expectAccessible, showWith } from "./signin";

/** Pages in a PDF Chromium (or Rollcall) wrote: its page objects. */
function pdfPages(pdf: Buffer): number {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
}

async function printed(page: Page): Promise<number> {
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ preferCSSPageSize: true });
  await page.emulateMedia({ media: "screen" });
  return pdfPages(pdf);
}

describeSignedIn("as the trust lead", "trust@e2e.test", () => {
  test("governors: the trust and every academy, each with its paragraph and tables", async ({ page }) => {
    await expectPage(page, "/governors", "Governors' termly summary");
    const summaries = page.locator("article.summary");
    await expect(summaries).toHaveCount(ACADEMIES + 1);
    // The latest term, to the seed's last day.
    await expect(page.getByRole("combobox", { name: "Term" })).toHaveValue("spring-2025");
    const first = summaries.first();
    await expect(first.locator("h2")).toContainText("attendance, Spring 2025 to 14 Mar 2025");
    await expect(first.locator("div.narrative p").first()).toContainText(/^Attendance in Spring 2025 to 14 Mar 2025 was \d+\.\d%, (up|down) \d+\.\d percentage points? on Autumn 2024 \(\d+\.\d%\)\.$/);
    // Every figure a sentence quotes is in the table beside it.
    const sentence = await first.locator("div.narrative p").first().textContent();
    const table = await first.locator("table.data").first().textContent();
    for (const figure of sentence!.match(/\d+\.\d%/g)!) {
      expect(table).toContain(figure);
    }
    await expect(first.locator("table.data").first().locator("tbody tr")).toHaveCount(3);
    await page.screenshot({ path: shot("governors"), fullPage: true });
  });

  test("governors: another term and one academy, from the URL", async ({ page }) => {
    await page.goto("/governors");
    await showWith(page, { Term: "autumn-2024", Academy: "140101" });
    await expect(page).toHaveURL(/term=autumn-2024/);
    await expect(page).toHaveURL(/place=140101/);
    await expect(page.locator("article.summary")).toHaveCount(1);
    await expect(page.locator("article.summary h2")).toContainText("Autumn 2024");
    // No earlier term in the seed: no claim about one.
    await expect(page.locator("div.narrative p").first()).toHaveText(/^Attendance in Autumn 2024 was \d+\.\d%\.$/);
  });

  test("governors: printed, one A4 page per academy; the PDF download likewise", async ({ page }) => {
    await page.goto("/governors");
    await expect(page.locator("article.summary")).toHaveCount(ACADEMIES + 1);
    expect(await printed(page)).toBe(ACADEMIES + 1);
    await page.emulateMedia({ media: "print" });
    await expect(page.locator("header.top")).toBeHidden();
    await expect(page.getByRole("button", { name: "Show" })).toBeHidden();
    await page.emulateMedia({ media: "screen" });
    const href = await page.getByRole("link", { name: "Download PDF" }).getAttribute("href");
    const pdf = await page.request.get(href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    const body = await pdf.body();
    expect(body.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdfPages(body)).toBe(ACADEMIES + 1);
  });

  test("no serious accessibility violations on /governors", async ({ page }) => {
    await expectAccessible(page, "/governors", page.locator("article.summary").first());
  });
});

test("a governor gets their academy's summary only, small numbers hidden", async ({ page }) => {
  await signIn(page, "governor@e2e.test");
  await page.goto("/governors");
  await expect(page.locator("article.summary")).toHaveCount(1);
  await expect(page.locator("article.summary h2")).toContainText("attendance, Spring 2025");
  await expect(page.locator("article.summary p.note")).toContainText("x: fewer than 5 pupils");
  // Nothing links to a pupil.
  await expect(page.locator("a[href*='/pupil/']")).toHaveCount(0);
  expect(await printed(page)).toBe(1);
  await page.screenshot({ path: shot("governors-governor"), fullPage: true });
});
