// Runs the portable suite in headless Chromium: the repository is served read-only from
// 127.0.0.1, Chromium is started with a fixed set of flags and a fresh profile directory, and
// playwright-core drives it over the DevTools protocol. Prints the suite's counts as
// `N passed, N failed, N skipped`; exits 1 when any test failed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { chromium } from "playwright-core";

const executable = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const root = resolve(".");
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".map": "application/json" };

function serve(request, response) {
  const path = resolve(join(root, decodeURIComponent(new URL(request.url, "http://x").pathname)));
  const allowed =
    path.startsWith(root + sep) &&
    (path.includes(`${sep}dist${sep}`) || path.includes(`${sep}test${sep}portable${sep}`));
  if (!allowed || !statSync(path, { throwIfNoEntry: false })?.isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
  response.end(readFileSync(path));
}

/** Starts Chromium with exactly the matrix's flags; resolves with the DevTools endpoint. */
function launch(profile) {
  const flags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "about:blank",
  ];
  // Its own process group, so that a Chromium which will not quit can be ended with its helpers.
  const child = spawn(executable, flags, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  const endpoint = new Promise((resolveEndpoint, reject) => {
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (found) resolveEndpoint(found[1]);
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`chromium exited (${code}) before listening:\n${stderr}`)));
  });
  return { child, endpoint };
}

const server = createServer(serve);
await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
const profile = mkdtempSync(join(tmpdir(), "contextlib-ts-chromium-"));
const { child, endpoint } = launch(profile);
let result;
try {
  const browser = await chromium.connectOverCDP(await endpoint);
  try {
    console.log(`chromium ${browser.version()}`);
    const page = await browser.contexts()[0].newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("console", (message) => {
      if (process.env.PORTABLE_TRACE) console.log(`console: ${message.text()}`);
    });
    const query = process.env.PORTABLE_TRACE ? "?trace" : "";
    await page.goto(`http://127.0.0.1:${server.address().port}/test/portable/browser.html${query}`);
    try {
      await page.waitForFunction(() => window.portableResult !== undefined, null, { timeout: 30_000 });
    } catch (error) {
      const lines = await page.evaluate(() => window.portableLines ?? []);
      throw new Error(
        `the suite did not finish; its last lines:\n${lines.slice(-5).join("\n")}\n${errors.join("\n")}`,
        { cause: error },
      );
    }
    result = await page.evaluate(() => window.portableResult);
    for (const line of result.lines) console.log(line);
    for (const error of errors) console.log(`page error: ${error}`);
    if (errors.length > 0) result.failed += errors.length;
  } finally {
    // Ask Chromium itself to quit, so its helper processes end with it and free the profile.
    const session = await browser.newBrowserCDPSession();
    await session.send("Browser.close").catch(() => {});
    await browser.close();
  }
} finally {
  const exited = new Promise((done) =>
    child.exitCode === null && child.signalCode === null ? child.once("exit", done) : done(),
  );
  const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  server.close();
  rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
console.log(`${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
process.exitCode = result.failed > 0 || result.passed === 0 ? 1 : 0;
