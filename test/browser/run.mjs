// baton in a real browser: `npm run test:browser` (needs Debian's chromium; .ci/run installs it).
// vite bundles test/browser/entry.ts as an app would bundle baton; a server on 127.0.0.1 serves it
// twice — once cross-origin isolated (COOP/COEP: SharedArrayBuffer, the shared core) and once not
// (a plain memory, the local core) — and headless Chromium runs each page. The page writes its
// results as JSON; this script checks them and exits non-zero on any failure.
import { build } from "vite";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
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

const outDir = mkdtempSync(join(tmpdir(), "baton-browser-"));
await build({
  configFile: false,
  logLevel: "warn",
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    minify: false,
    lib: { entry: join(here, "entry.ts"), formats: ["es"], fileName: "bundle" },
  },
});
const bundle = readFileSync(join(outDir, readdirSync(outDir).find((f) => f.endsWith(".js"))));
const page = `<!doctype html><meta charset="utf-8"><title>baton</title><pre id="result">pending</pre>
<script type="module" src="/bundle.js"></script>`;

function serve(isolated) {
  const server = createServer((req, res) => {
    const headers = isolated
      ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }
      : {};
    if (req.url === "/bundle.js") {
      res.writeHead(200, { "Content-Type": "text/javascript", ...headers }).end(bundle);
    } else if (req.url === "/" || req.url === "/index.html") {
      res.writeHead(200, { "Content-Type": "text/html", ...headers }).end(page);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// Runs Chromium on url and returns what the page wrote. Asynchronous: the server answering the
// page runs in this process, so the event loop must stay free while Chromium runs.
async function runPage(url) {
  const profile = mkdtempSync(join(tmpdir(), "baton-chromium-"));
  try {
    const child = spawn(chromium, [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--user-data-dir=${profile}`, "--virtual-time-budget=20000", "--dump-dom", url,
    ]);
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const status = await new Promise((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    const m = /<pre id="result">([\s\S]*?)<\/pre>/.exec(stdout);
    if (m === null) throw new Error(`no result from ${url} (exit ${status}): ${stderr.slice(-2000)}`);
    const text = m[1].replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    if (text === "pending") throw new Error(`the page at ${url} did not finish`);
    return JSON.parse(text);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

const failures = [];
let total = 0;
function expectEq(what, got, want) {
  total++;
  const ok = JSON.stringify(got) === JSON.stringify(want);
  console.log(`${ok ? "ok  " : "FAIL"} ${what}: ${JSON.stringify(got)}${ok ? "" : ` (want ${JSON.stringify(want)})`}`);
  if (!ok) failures.push(what);
}

try {
  for (const isolated of [true, false]) {
    const server = await serve(isolated);
    const url = `http://127.0.0.1:${server.address().port}/`;
    const label = isolated ? "cross-origin isolated" : "not isolated";
    console.log(`── Chromium, ${label} page`);
    let r;
    try {
      r = await runPage(url);
    } finally {
      server.close();
    }
    if (r.error !== undefined) {
      console.log(`FAIL ${label}: ${r.error}\n${r.stack ?? ""}`);
      total++;
      failures.push(label);
      continue;
    }
    expectEq(`${label}: crossOriginIsolated`, r.crossOriginIsolated, isolated);
    expectEq(`${label}: core over a shared memory`, r.sharedMemory, isolated);
    expectEq(`${label}: ping-pong`, r.pingpong, 1000);
    expectEq(`${label}: select with default`, r.selectDefault, -1);
    expectEq(`${label}: select with a ready case`, r.selectReady, [1, "b"]);
    expectEq(`${label}: select with after() as a timeout`, r.selectTimeout, 1);
    expectEq(`${label}: Mutex over 8 goroutines x 100`, r.mutexCounter, 800);
    expectEq(`${label}: sleep(30) slept at least 30 ms`, r.sleptAtLeast30, true);
    expectEq(`${label}: two ticks, in order`, r.ticksInOrder, true);
    expectEq(`${label}: withTimeout deadline`, r.deadline, true);
    expectEq(`${label}: send on closed channel`, r.panic, "send on closed channel");
    expectEq(`${label}: goroutines() dump`, r.dump, ["chan receive"]);
    expectEq(`${label}: numGoroutine() after`, r.numGoroutine, 0);
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

console.log(`browser: ${total - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
