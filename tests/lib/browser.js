// Headless Chromium through playwright-core (the system's /usr/bin/chromium; no download).
import { chromium } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.PAY_E2E_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A new page in its own context that records console errors, uncaught exceptions and
 * Content-Security-Policy violations (`page.problems`).
 */
export async function newPage(browser, { locale = "en-US", timezoneId } = {}) {
  const context = await browser.newContext({ locale, timezoneId, viewport: { width: 1000, height: 760 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => page.problems.push(`uncaught: ${error.message}`));
  await page.exposeBinding("__reportViolation", (_source, text) => {
    page.problems.push(`CSP violation: ${text}`);
  });
  // An init script is not subject to the page's CSP; it listens in every frame and shadow root
  // (the event is composed).
  await page.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) => window.__reportViolation(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`),
      true,
    );
  });
  return page;
}
