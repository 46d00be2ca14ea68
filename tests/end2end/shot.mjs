// Screenshots for a person to look at: node shot.mjs EMAIL PASSWORD OUT URL...
// (signs in once, then saves each page, full length, to OUT/<n>.png).
import { chromium } from "@playwright/test";
import { execSync } from "node:child_process";

const [email, password, out, ...urls] = process.argv.slice(2);
const base = process.env.ROLLCALL_URL || "http://127.0.0.1:3000";
const browser = await chromium.launch({
  executablePath: execSync("command -v chromium").toString().trim(),
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(`${base}/signin`);
await page.getByLabel("Email").fill(email);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForSelector("form.signout");
let n = 0;
for (const url of urls) {
  await page.goto(`${base}${url}`);
  await page.waitForLoadState("networkidle");
  // CLIP=y,height takes that band of the page instead of all of it.
  const clip = process.env.CLIP?.split(",").map(Number);
  await page.screenshot({
    path: `${out}/${++n}.png`,
    fullPage: true,
    ...(clip ? { clip: { x: 0, y: clip[0], width: 1400, height: clip[1] } } : {}),
  });
  console.log(`${out}/${n}.png ${url}`);
}
await browser.close();
