// One Pay server and one headless Chromium for the tests of a file (or of a describe block):
// started before its first test, stopped after its last. Read `env.server` and `env.browser`
// inside the tests. `setup(env)`, if given, runs once both are up (a first page, say): hooks
// of a file's top level start at once, so a file's own `before` would not wait for these.
import { after, before } from "node:test";
import { startServer } from "./server.js";
import { launchBrowser } from "./browser.js";

export function serverAndBrowser(setup) {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
    await setup?.(env);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
