// Headless Chromium for the browser tests (run.mjs, app.mjs, demo.mjs): runPage(url, result)
// opens url and waits for the page to report (the caller's server resolves `result` with the
// page's POST); resultPlugin() is that server side for a vite server.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";

export const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
});
if (chromium === undefined) {
  console.error("test:browser: Chromium not found (apt-get install -y chromium)");
  process.exit(1);
}

// Runs Chromium on url until the page has posted its results, and returns them. In real time,
// not Chromium's virtual time (--virtual-time-budget): that does not govern a Web Worker, and
// fast-forwards the page's timers past what the worker is doing. Asynchronous: the server
// answering the page runs in this process, so the event loop must stay free while Chromium runs.
export async function runPage(url, result) {
  const profile = mkdtempSync(join(tmpdir(), "baton-chromium-"));
  const child = spawn(chromium, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0", `--user-data-dir=${profile}`, url,
  ]);
  let stderr = "";
  child.stdout.resume();
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("close", (status, signal) => resolve(status ?? signal)));
  let timer;
  try {
    const text = await Promise.race([
      result,
      exited.then((status) => Promise.reject(new Error(`Chromium exited (${status}) before the page at ${url} reported`))),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the page at ${url} did not report within 120 s`)), 120_000);
      }),
    ]);
    return JSON.parse(text);
  } catch (e) {
    // The page's console (Chromium logs it as CONSOLE lines) says how far it got.
    const logged = stderr.split("\n").filter((l) => l.includes("CONSOLE")).slice(-20).join("\n");
    e.message += `\n${logged || stderr.slice(-2000)}`;
    throw e;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    rmSync(profile, { recursive: true, force: true });
  }
}


// The page POSTs its results to /result.
export function resultPlugin() {
  let deliver;
  const result = new Promise((resolve) => (deliver = resolve));
  const middleware = (req, res, next) => {
    if (req.method !== "POST" || req.url !== "/result") return next();
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.statusCode = 204;
      res.end();
      deliver(body);
    });
  };
  return {
    result,
    plugin: {
      name: "baton-test-result",
      configureServer: (s) => void s.middlewares.use(middleware),
      configurePreviewServer: (s) => void s.middlewares.use(middleware),
    },
  };
}

/** The browser runners' checks: `check` prints one line per check, `expectEq` compares as JSON,
 *  and `finish(name)` prints the count and exits, non-zero if any check failed. */
export function checker() {
  const failures = [];
  let total = 0;
  function check(what, ok, shown, wanted) {
    total++;
    console.log(`${ok ? "ok  " : "FAIL"} ${what}: ${shown}${ok || wanted === undefined ? "" : ` (want ${wanted})`}`);
    if (!ok) failures.push(what);
  }
  function expectEq(what, got, want) {
    check(what, JSON.stringify(got) === JSON.stringify(want), JSON.stringify(got), JSON.stringify(want));
  }
  function finish(name) {
    console.log(`${name}: ${total - failures.length} passed, ${failures.length} failed`);
    process.exit(failures.length === 0 ? 0 : 1);
  }
  return { check, expectEq, finish };
}
