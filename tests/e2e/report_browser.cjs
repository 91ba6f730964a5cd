// Opens a kemu load report.html in headless Debian chromium (playwright-core from web/, pinned
// by web/package-lock.json) and prints one JSON line: each chart's title, its series' lengths
// and non-null values, whether its canvas has drawn pixels, the console errors, the requests
// that left the file (the page must need no network), and the page's visible text.
// Usage: node report_browser.cjs REPORT_HTML SCREENSHOT_PNG USER_DATA_DIR
const path = require("path");
const {chromium} = require(path.join(__dirname, "..", "..", "web", "node_modules", "playwright-core"));

async function main() {
  const [html, screenshot, userDataDir] = process.argv.slice(2);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.KEMU_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: {width: 1200, height: 900},
  });
  const errors = [];
  const network = [];
  try {
    const page = context.pages()[0] || (await context.newPage());
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      network.push(url);
      return route.abort();
    });
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto("file://" + path.resolve(html), {waitUntil: "load", timeout: 30000});
    await page.waitForFunction(() => Array.isArray(window.kemuCharts) && window.kemuCharts.length > 0,
                               null, {timeout: 15000});
    const charts = await page.evaluate(() => window.kemuCharts.map(({title, plot}) => {
      const canvas = plot.root.querySelector("canvas");
      let drawn = 0;
      if (canvas) {
        const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) drawn++;
      }
      return {
        title,
        lengths: plot.data.map((s) => s.length),
        values: plot.data.slice(1).map((s) => s.filter((v) => v !== null && v !== undefined).length),
        drawn,
        width: canvas ? canvas.width : 0,
      };
    }));
    const text = await page.evaluate(() => document.body.innerText);
    await page.screenshot({path: screenshot, fullPage: true});
    console.log(JSON.stringify({charts, errors, network, text}));
  } finally {
    await context.close();
  }
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
