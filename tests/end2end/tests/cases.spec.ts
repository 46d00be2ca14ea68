import { test, expect } from "@playwright/test";
import { describeSignedIn, shot, skipAxeWithoutJs, withTargets } from "./signin";
import AxeBuilder from "@axe-core/playwright";

/** A date as the GOV.UK date boxes take it. */
const parts = (d: Date) => ({ day: String(d.getUTCDate()), month: String(d.getUTCMonth() + 1), year: String(d.getUTCFullYear()) });

describeSignedIn("as academy staff", "staff@e2e.test", () => {
  test("a case from the action list: record a meeting, see the stage move, find the pupil by stage", async ({ page }) => {
    await page.goto("/actions?list=open-n");
    const first = page.locator("#action-list tbody tr").first();
    const name = (await first.locator("th a").textContent())!.trim();
    await first.getByRole("link", { name: /^Open the case of / }).click();
    await expect(page).toHaveURL(/\/academy\/140101\/pupil\/[^#]+#case$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    await expect(page.locator("#case-standing")).toContainText("Stage:");

    // One form: what was done, when (today by default), what came of it, what is next.
    const form = page.locator("#record-action");
    await form.getByLabel("Action").selectOption({ label: "Supportive attendance meeting" });
    await form.getByLabel("Outcome").fill("Parent attended; agreed a support plan.");
    await form.getByLabel("Next step").fill("Review attendance with the family");
    const due = parts(new Date(Date.now() + 14 * 86400_000));
    const dueBoxes = form.getByRole("group", { name: "Next step due (optional)" });
    await dueBoxes.getByLabel("Day").fill(due.day);
    await dueBoxes.getByLabel("Month").fill(due.month);
    await dueBoxes.getByLabel("Year").fill(due.year);
    await form.getByRole("button", { name: "Record" }).click();

    await expect(page.locator("#flash")).toContainText("Recorded: Supportive attendance meeting");
    await expect(page.locator("#case-standing")).toContainText("Stage: Facilitate support.");
    await expect(page.locator("#case-standing")).toContainText("Next step due on");
    await expect(page.locator("#case-actions tbody")).toContainText("Parent attended; agreed a support plan.");
    await page.screenshot({ path: shot("case"), fullPage: true });

    // A mistake comes back with the reason; nothing is recorded.
    const rows = await page.locator("#case-actions tbody tr").count();
    const dateBoxes = form.getByRole("group", { name: "Date" });
    await dateBoxes.getByLabel("Day").fill("31");
    await dateBoxes.getByLabel("Month").fill("2");
    await form.getByRole("button", { name: "Record" }).click();
    await expect(page.locator("#flash")).toContainText("is not a date");
    await expect(page.locator("#case-actions tbody tr")).toHaveCount(rows);

    // Back on the list, the pupil is found by their case's stage.
    await page.goto("/actions?list=open-n");
    await page.getByRole("combobox", { name: "Stage" }).selectOption({ label: "3 Facilitate support" });
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/stage=support/);
    await expect(page.locator("#action-list tbody")).toContainText(name);
    const stages = await page.locator("#action-list tbody tr td:nth-last-child(3)").allTextContents();
    expect(new Set(stages.map((s) => s.trim()))).toEqual(new Set(["3 Facilitate support"]));
    await page.screenshot({ path: shot("actions-by-stage"), fullPage: true });
  });

  test("the case section and its form are accessible", async ({ page }) => {
    skipAxeWithoutJs();
    await page.goto("/actions?list=open-n");
    await page.locator("#action-list tbody tr").first().getByRole("link", { name: /^Open the case of / }).click();
    await expect(page.locator("#record-action")).toBeVisible();
    const results = await new AxeBuilder({ page }).include("#case").analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map(withTargets)).toEqual([]);
  });
});

describeSignedIn("as the trust lead", "trust@e2e.test", () => {
  test("the trust reads a case but records nothing", async ({ page }) => {
    await page.goto("/actions?list=open-n");
    await page.locator("#action-list tbody tr").first().getByRole("link", { name: /^Open the case of / }).click();
    await expect(page.locator("#case-standing")).toContainText("Stage:");
    await expect(page.locator("#record-action")).toHaveCount(0);
  });
});
