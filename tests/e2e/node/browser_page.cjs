// Headless Debian chromium (playwright-core, no browser download) opens a page and waits for it
// to write its result into document.title ("done:{...}"), then for the hidden iframe its form
// posted into to load. Prints {result, form} as one JSON line for the Python side.
"use strict";
const { chromium } = require("playwright-core");

const [executablePath, url] = process.argv.slice(2);

async function main() {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    const formResponse = page.waitForResponse((r) => r.request().method() === "POST" &&
      r.request().resourceType() === "document", { timeout: 30000 });
    await page.goto(url);
    await page.waitForFunction(() => document.title.startsWith("done:"), null, { timeout: 30000 });
    const result = JSON.parse((await page.title()).slice(5));
    const form = await formResponse;
    console.log(JSON.stringify({ result, form: form.status() }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
