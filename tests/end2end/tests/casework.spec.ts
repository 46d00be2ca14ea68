import { test, expect, Page, Download } from "@playwright/test";
import { describeSignedIn, expectAccessible, shot, signIn } from "./signin";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A downloaded PDF read back as text (poppler's pdftotext), pages split at form feeds. */
async function pdfText(download: Download): Promise<string[]> {
  const path = join(mkdtempSync(join(tmpdir(), "rollcall-")), "file.pdf");
  await download.saveAs(path);
  const text = execFileSync("pdftotext", ["-layout", path, "-"]).toString();
  return text
    .split("\f")
    .map((p) => p.replace(/\s+/g, " ").trim())
    .filter((p) => p.length > 0);
}

/** Clicks `what` and waits for the download it starts. */
async function downloadFrom(page: Page, click: () => Promise<void>): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  return download;
}

describeSignedIn("as academy staff", "staff@e2e.test", () => {
  test("letters: tick pupils on the thresholds list, get one PDF, each recorded on the case", async ({ page }) => {
    await page.goto("/actions?list=thresholds");
    const rows = page.locator("#action-list tbody tr");
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    const names: string[] = [];
    for (const i of [0, 1]) {
      const name = (await rows.nth(i).locator("th a").textContent())!.trim();
      names.push(name);
      await page.getByLabel(`Write to the parents of ${name}`).check();
    }
    await page.screenshot({ path: shot("letters-ticked"), fullPage: false });
    const download = await downloadFrom(page, () =>
      page.getByRole("button", { name: "Make letters for the pupils ticked (PDF)" }).click(),
    );
    expect(download.suggestedFilename()).toMatch(/^letters-140101-\d{4}-\d{2}-\d{2}\.pdf$/);
    const pages = await pdfText(download);
    expect(pages.length).toBe(2);
    for (const p of pages) {
      expect(p).toContain("Dear parent or carer,");
      expect(p).toMatch(/attended \d+\.\d% of the sessions they could have attended/);
      expect(p).toMatch(/Their attendance has now fallen below (95|93|90|80|50)%\./);
    }
    expect(names.every((n) => pages.some((p) => p.includes(`to the parent or carer of ${n}`)))).toBe(true);

    // Each letter is on the pupil's case.
    await page.goto("/actions?list=thresholds");
    await page.locator("#action-list tbody tr").first().getByRole("link", { name: /^Open the case of / }).click();
    await expect(page.locator("#case-actions tbody")).toContainText("Letter sent");
    await expect(page.locator("#case-actions tbody")).toContainText("made together");
  });

  test("the notifications queue: record one from the queue and it is answered", async ({ page }) => {
    await page.goto("/notifications");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Local authority notifications");
    const open = page.locator("#queue tbody tr", { has: page.getByRole("link", { name: /^Record/ }) });
    const waiting = open.filter({ hasText: /Overdue|Not yet/ });
    expect(await waiting.count()).toBeGreaterThan(0);
    const row = waiting.first();
    const name = (await row.locator("th a").textContent())!.trim();
    const kind = (await row.locator("td").nth(2).textContent())!.trim();
    const due = (await row.locator("td").nth(4).textContent())!.trim();
    await page.screenshot({ path: shot("notifications"), fullPage: true });
    await row.getByRole("link", { name: /^Record/ }).click();
    await expect(page).toHaveURL(/\?record=la-[a-z0-9-]+#case$/);
    const form = page.locator("#record-action");
    await expect(form.getByLabel("Action")).toHaveValue(/^la-/);
    await form.getByLabel("Outcome").fill("Told the local authority by its online form.");
    await form.getByRole("button", { name: "Record" }).click();
    await expect(page.locator("#flash")).toContainText("Recorded: Local authority told");

    await page.goto("/notifications");
    // The same notification (a timetable can have two: its start and its extension).
    const answered = page
      .locator("#queue tbody tr", { hasText: name })
      .filter({ hasText: kind })
      .filter({ has: page.locator("td:nth-child(6)", { hasText: new RegExp(`^${due}$`) }) });
    await expect(answered.first().locator("td").nth(6)).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}$/);
    // Only those not yet made: the answered one is gone.
    await page.getByLabel("Only those not yet made").check();
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/open=1/);
    const rows = await page.locator("#queue tbody tr td:nth-child(8)").allTextContents();
    expect(rows.every((t) => /Overdue|Not yet|No notifications/.test(t))).toBe(true);
  });

  test("the penalty-notice evidence pack from a pupil on the penalty list", async ({ page }) => {
    await page.goto("/actions?list=penalty");
    const first = page.locator("#action-list tbody tr").first();
    const name = (await first.locator("th a").textContent())!.trim();
    await first.getByRole("link", { name: /^Open the case of / }).click();
    const download = await downloadFrom(page, () =>
      page.getByRole("link", { name: /^Download the penalty-notice evidence pack/ }).click(),
    );
    const text = (await pdfText(download)).join(" ");
    expect(text).toContain(`Penalty notice evidence: ${name}`);
    expect(text).toContain("A penalty notice must be considered when a pupil has 10 sessions of unauthorised absence");
    expect(text).toMatch(/\d+ sessions of unauthorised absence in the 10 school weeks from/);
    expect(text).toContain("The register in the window");
  });

  test("no serious accessibility violations on /notifications", async ({ page }) => {
    await expectAccessible(page, "/notifications", page.locator("#queue"));
  });

  test("no serious accessibility violations on the thresholds list with its letters", async ({ page }) => {
    await expectAccessible(page, "/actions?list=thresholds", page.locator("#letters-form"));
  });
});

describeSignedIn("as the trust lead", "trust@e2e.test", () => {
  test("whether it works: before and after by action, and time to act by academy", async ({ page }) => {
    await page.goto("/impact");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Whether it works");
    await expect(page.locator("#compliance tbody tr")).toHaveCount(6);
    await expect(page.locator("p.rule")).toContainText("not proof");
    await page.screenshot({ path: shot("impact"), fullPage: true });
  });

  test("the trust sees every academy's queue, and makes no letters", async ({ page }) => {
    await page.goto("/notifications");
    await expect(page.locator("nav.tabs a").first()).toHaveText(/^All \(\d+, \d+ overdue\)$/);
    await page.goto("/actions?list=thresholds");
    await expect(page.locator("#letters-form")).toHaveCount(0);
  });

  test("no serious accessibility violations on /impact", async ({ page }) => {
    await expectAccessible(page, "/impact", page.locator("#compliance"));
  });
});

test("a governor sees cases only as counts by stage", async ({ page }) => {
  await signIn(page, "governor@e2e.test");
  await page.goto("/governors");
  const stages = page.locator("section.stages");
  await expect(stages.getByRole("heading", { level: 2 })).toContainText("pupils by stage");
  await expect(stages.locator("tbody tr")).toHaveCount(1);
  await expect(page.locator("a[href*='/pupil/']")).toHaveCount(0);
  const impact = await page.request.get("/impact");
  expect(impact.status()).toBe(403);
  const queue = await page.request.get("/notifications");
  expect(queue.status()).toBe(403);
});
