// Screenshots for a person to look at: node shot.mjs EMAIL PASSWORD OUT URL...
// (signs in once, then saves each page, full length, to OUT/<n>.png; a URL ending
// .pdf/.png/.svg/.csv is saved as the file it is).
import { chromium } from "@playwright/test";
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";

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
  // A download (a PDF, a PNG): saved as it comes, with the signed-in session.
  if (/\.(pdf|png|svg|csv)(\?|$)/.test(url)) {
    const res = await page.request.get(`${base}${url}`);
    const ext = url.match(/\.(pdf|png|svg|csv)(\?|$)/)[1];
    writeFileSync(`${out}/${++n}.${ext}`, await res.body());
    console.log(`${out}/${n}.${ext} ${url} ${res.status()}`);
    continue;
  }
  await page.goto(`${base}${url}`);
  // PRINT=1 also prints the page as Chromium would (print CSS, its @page sizes).
  if (process.env.PRINT) {
    await page.emulateMedia({ media: "print" });
    await page.pdf({ path: `${out}/${n + 1}-print.pdf`, preferCSSPageSize: true });
    await page.emulateMedia({ media: "screen" });
  }
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
