import { Locator, Page, expect, test } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import type { Result } from "axe-core";

export const PASSWORD = process.env.ROLLCALL_E2E_PASSWORD || "";

/** Signs in through the sign-in form (works with JavaScript on and off). */
export async function signIn(page: Page, email: string, next = "/") {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form.signout")).toBeVisible();
}

/** Signs in as `email` before each test of the file or `describe` block it is called in. */
export function signInBeforeEach(email: string) {
  test.beforeEach(async ({ page }) => {
    await signIn(page, email);
  });
}

/** A `describe` block whose tests each start signed in as `email`. */
export function describeSignedIn(title: string, email: string, body: () => void) {
  test.describe(title, () => {
    signInBeforeEach(email);
    body();
  });
}

/** Checks that the chart `img` shows what `alt` says (its text alternative starts so) and
 * that its drawing arrived: served by `/charts/`, for this viewer. */
export async function expectChart(img: Locator, alt: string | RegExp) {
  await expect(img).toHaveAttribute("alt", typeof alt === "string" ? new RegExp(`^${alt}`) : alt);
  await expect(img).toHaveAttribute("src", /^\/charts\/[0-9a-f]{64}\.svg$/);
  await img.scrollIntoViewIfNeeded();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
}

/** Academies in the trust that `run` seeds (5 primaries and a secondary). */
export const ACADEMIES = 6;

/** Where the running test saves a screenshot: one file per name and project (js-on, js-off). */
export const shot = (name: string) => `screenshots/${name}-${test.info().project.name}.png`;

/** Opens `path`, and checks it answers `status` with `heading` as its level-1 heading. */
export async function expectPage(page: Page, path: string, heading: string, status = 200) {
  const response = await page.goto(path);
  expect(response?.status()).toBe(status);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
}

/** Skips the running test in the js-off project: axe is injected as a script. */
export function skipAxeWithoutJs() {
  test.skip(test.info().project.name === "js-off", "axe runs as a script");
}

/** A violation as "id: help (the elements it was found on)". */
export const withTargets = (v: Result) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`;

/** Runs axe on the page as it stands and returns its serious and critical violations, each described. */
export async function seriousViolations(page: Page, describe: (v: Result) => string = withTargets): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map(describe);
}

/** Opens `path`, waits for `ready` (when given) to show, and expects no serious or critical accessibility violations. */
export async function expectAccessible(page: Page, path: string, ready?: Locator) {
  skipAxeWithoutJs();
  await page.goto(path);
  if (ready) await expect(ready).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
}

/** Chooses an option in each named combobox of the page's form, in order, and submits it with "Show". */
export async function showWith(page: Page, choices: Record<string, Parameters<Locator["selectOption"]>[0]>) {
  for (const [name, option] of Object.entries(choices)) {
    await page.getByRole("combobox", { name }).selectOption(option);
  }
  await page.getByRole("button", { name: "Show" }).click();
}
