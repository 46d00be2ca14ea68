import { Page, expect } from "@playwright/test";

export const PASSWORD = process.env.ROLLCALL_E2E_PASSWORD || "";

/** Signs in through the sign-in form (works with JavaScript on and off). */
export async function signIn(page: Page, email: string, next = "/") {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form.signout")).toBeVisible();
}

/** Academies in the trust that `run` seeds (5 primaries and a secondary). */
export const ACADEMIES = 6;
