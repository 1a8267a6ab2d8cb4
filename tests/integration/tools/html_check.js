// Load a procscope --html page in Debian's Chromium (headless, through playwright-core)
// and print, as JSON, what the tests check: console errors, requests to anywhere, the
// timeline's labels, the findings, the breakdown bar, a click's zoom, the hover details,
// the flame graph's frames and the text report. Saves a screenshot.
//   usage: node html_check.js PAGE.html SHOT.png
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

(async () => {
  const [page_path, shot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const out = { errors: [], requests: [] };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('console', (m) => { if (m.type() === 'error') out.errors.push(m.text()); });
    page.on('pageerror', (e) => out.errors.push(String(e)));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith('file:') && !u.startsWith('data:')) out.requests.push(u);
    });
    await page.goto('file://' + path.resolve(page_path), { waitUntil: 'load' });
    await page.waitForSelector('#tl g.row');
    out.labels = await page.$$eval('#tl g.row text', (ts) => ts.map((t) => t.textContent));
    out.findings = await page.$$eval('#findings .summary', (ds) => ds.map((d) => d.textContent));
    out.bar_segments = await page.$$eval('#bar div', (ds) => ds.length);
    out.text = await page.$eval('#text', (p) => p.textContent);
    const view = async () => (await page.getAttribute('#tl', 'data-view')).split(',').map(Number);
    const before = await view();
    const box = await page.locator('#tl').boundingBox();
    await page.mouse.click(box.x + box.width * 0.6, box.y + 40);
    const after = await view();
    out.zoom = { before, after, before_width: before[1] - before[0], after_width: after[1] - after[0] };
    // hover the first bar on the critical path
    const bar = page.locator('#tl g.row.path rect').first();
    const bb = await bar.boundingBox();
    await page.mouse.move(bb.x + bb.width / 2, bb.y + bb.height / 2);
    out.tip = await page.$eval('#tip', (t) => (t.style.display === 'block' ? t.textContent : ''));
    // the flame graph: an SVG document of its own, with its frames
    const frame = page.frames().find((f) => f !== page.mainFrame());
    out.flame = !!frame && (await frame.$$eval('#frames g', (gs) => gs.length)) > 0;
    await page.mouse.move(0, 0);
    await page.screenshot({ path: shot, fullPage: true });
  } catch (e) {
    out.errors.push('check: ' + String(e));
  }
  await browser.close();
  console.log(JSON.stringify(out));
})();
