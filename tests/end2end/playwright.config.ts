import { defineConfig } from "@playwright/test";
import { execSync } from "node:child_process";

// Debian's Chromium: this project never downloads a browser.
const chromium =
  process.env.CHROMIUM_PATH || execSync("command -v chromium").toString().trim();
const baseURL = process.env.ROLLCALL_URL || "http://127.0.0.1:3111";

const launchOptions = {
  executablePath: chromium,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: { baseURL, launchOptions, screenshot: "only-on-failure" },
  projects: [
    { name: "js-on", use: { javaScriptEnabled: true } },
    { name: "js-off", use: { javaScriptEnabled: false } },
  ],
});
