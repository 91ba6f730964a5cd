// Drives one page of headless Debian chromium (playwright-core from web/, pinned by
// web/package-lock.json) for browser_support.py: one JSON step per stdin line, one JSON answer
// per stdout line ({"ok": true, ...} or {"ok": false, "error", "text"}). Requests to anything
// but ALLOWED_ORIGIN are aborted and reported (the pages must work offline).
// Steps (op): goto {url}; fill {sel, value}; select {sel, value}; click {sel}; press {sel, key};
// wait_text {sel, text, timeout_ms} (an element matching sel whose text contains text);
// count {sel} ; text {sel}; shot {path}; close.
// Usage: node browser_driver.cjs USER_DATA_DIR ALLOWED_ORIGIN
const path = require("path");
const readline = require("readline");
const {chromium} = require(path.join(__dirname, "..", "..", "web", "node_modules", "playwright-core"));

async function main() {
  const [userDataDir, allowed] = process.argv.slice(2);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.KEMU_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: {width: 1280, height: 1000},
  });
  const errors = [];
  const network = [];
  const page = context.pages()[0] || (await context.newPage());
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(allowed + "/")) return route.continue();
    network.push(url);
    return route.abort();
  });
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));

  const ops = {
    goto: (s) => page.goto(s.url, {waitUntil: "load", timeout: 30000}),
    fill: (s) => page.fill(s.sel, s.value, {timeout: 10000}),
    select: (s) => page.selectOption(s.sel, s.value, {timeout: 10000}),
    click: (s) => page.click(s.sel, {timeout: 10000}),
    press: (s) => page.press(s.sel, s.key, {timeout: 10000}),
    wait_text: (s) => page.waitForFunction(([sel, text]) =>
      [...document.querySelectorAll(sel)].some((e) => e.textContent.includes(text)),
      [s.sel, s.text], {timeout: s.timeout_ms || 20000, polling: 100}),
    count: async (s) => ({count: await page.locator(s.sel).count()}),
    text: async (s) => ({texts: await page.locator(s.sel).allTextContents()}),
    focused: async () => ({focused: await page.evaluate(() => {
      const e = document.activeElement;
      return e ? (e.id || e.getAttribute("data-flow") || e.tagName) : null;
    })}),
    shot: (s) => page.screenshot({path: s.path, fullPage: true}),
    close: async () => ({errors, network}),
  };
  const lines = readline.createInterface({input: process.stdin});
  for await (const line of lines) {
    if (!line.trim()) continue;
    const s = JSON.parse(line);
    let answer;
    try {
      const out = await ops[s.op](s);
      answer = Object.assign({ok: true}, out && typeof out === "object" && !out.url ? out : {});
    } catch (e) {
      let text = "";
      try { text = await page.evaluate(() => document.body.innerText); } catch (_) { /* gone */ }
      answer = {ok: false, error: String(e && e.message || e), text};
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
    if (s.op === "close") break;
  }
  await context.close();
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
