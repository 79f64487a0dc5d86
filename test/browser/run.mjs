// baton in a real browser: `npm run test:browser` (needs Debian's chromium; .ci/run installs it).
// vite bundles test/browser/entry.ts as an app would bundle baton, and with it the module Web
// Workers the page starts (worker.ts and late-worker.ts, found through `new Worker(new URL(
// "./worker.ts", import.meta.url), { type: "module" })`, each with its own one copy of baton); a server on
// 127.0.0.1 serves it twice — once cross-origin isolated (COOP/COEP: SharedArrayBuffer, the
// shared core, shared channels between the page and the worker) and once not (a plain memory, the
// local core, shared channels refused) — and headless Chromium runs each page. The page posts
// its results as JSON; this script checks them and exits non-zero on any failure.
import { build } from "vite";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { runPage, checker } from "./chromium.mjs";
import { coreMarker } from "../helpers/core-marker.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
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
  // Each worker is bundled on its own (assets/<name>-<hash>.js) as an ES module: they are
  // started with { type: "module" }.
  worker: { format: "es" },
});
// Every file of the build, by URL path: /bundle.js (the page) and assets/ (the workers).
const files = new Map(
  readdirSync(outDir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => {
      const path = join(d.parentPath ?? d.path, d.name);
      return ["/" + relative(outDir, path).split(sep).join("/"), readFileSync(path)];
    }),
);
const page = `<!doctype html><meta charset="utf-8"><title>baton</title><pre id="result">pending</pre>
<script type="module" src="/bundle.js"></script>`;

// Serves the build; the page POSTs its results to /result, which `result` resolves with.
function serve(isolated) {
  let deliver;
  const result = new Promise((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    const headers = isolated
      ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }
      : {};
    const file = files.get(req.url);
    if (req.method === "POST" && req.url === "/result") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        res.writeHead(204).end();
        deliver(body);
      });
    } else if (file !== undefined && req.url.endsWith(".js")) {
      res.writeHead(200, { "Content-Type": "text/javascript", ...headers }).end(file);
    } else if (req.url === "/" || req.url === "/index.html") {
      res.writeHead(200, { "Content-Type": "text/html", ...headers }).end(page);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, result })));
}

const { check, expectEq, finish } = checker();
// A result the page computed with its expected value beside it: { got, want }. Long lists are
// shown in full only when they differ.
function expectPair(what, pair) {
  if (pair === undefined || pair === null || !("want" in pair)) {
    check(what, false, JSON.stringify(pair), "a result");
    return;
  }
  const got = JSON.stringify(pair.got), want = JSON.stringify(pair.want);
  if (got === want) check(what, true, got.length > 120 ? `${got.slice(0, 117)}...` : got, want);
  else check(what, false, got, want);
}

// The bundles: the page's and each worker's are separate files, each with one copy of baton (its
// embedded core, and a message of the loader as markers).
const scripts = [...files].filter(([p]) => p.endsWith(".js"));
const copies = (marker) => scripts.map(([p, b]) => [p, b.toString("latin1").split(marker).length - 1]);
console.log(`── bundles: ${scripts.map(([p, b]) => `${p} (${b.length} bytes)`).join(", ")}`);
const pageFile = "/bundle.js";
// The pool worker too: workers() starts it as new Worker(new URL("./pool-worker.js", import.meta.url), ...),
// which vite bundles even where the page does not call workers() (as here: app.mjs runs a pool).
const builtWorkers = ["worker", "late-worker", "pool-worker"].map((name) =>
  scripts.map(([p]) => p).find((p) => new RegExp(`^/assets/${name}-[^/]*\\.js$`).test(p)));
expectEq("bundle: the page script and the three worker scripts", [files.has(pageFile), ...builtWorkers.map((w) => w !== undefined)], [true, true, true, true]);
expectEq("bundle: the page bundle starts each worker by its built URL",
  builtWorkers.slice(0, 2).map((w) => w !== undefined && files.get(pageFile).toString().includes(w.slice(1))), [true, true]);
expectEq("bundle: no other scripts", scripts.length, 4);
for (const [name, marker] of [["the loader's message", "the shared memory has no thread context left"], ["the embedded core", coreMarker()]]) {
  expectEq(`bundle: copies of baton (${name}) per script`, Object.fromEntries(copies(marker)),
    Object.fromEntries(scripts.map(([p]) => [p, 1])));
}

try {
  for (const isolated of [true, false]) {
    const { server, result } = await serve(isolated);
    const url = `http://127.0.0.1:${server.address().port}/`;
    const label = isolated ? "cross-origin isolated" : "not isolated";
    console.log(`── Chromium, ${label} page`);
    let r;
    try {
      r = await runPage(url, result);
    } catch (e) {
      r = { error: e.message };
    } finally {
      server.close();
    }
    if (r.error !== undefined) {
      check(label, false, `${r.error}\n${r.stack ?? ""}`);
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
    if (isolated) checkShared(label, r);
    else checkPlain(label, r);
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

// The cross-origin isolated page with its module Web Worker over shared channels.
function checkShared(label, r) {
  const l = `${label}, page ⇄ worker`;
  check(`${l}: no error`, r.sharedError === undefined, r.sharedError ?? "none", "none");
  const s = r.shared ?? {};
  expectEq(`${l}: sharedMemory and crossOriginIsolated in the worker`, s.workerHello, { sharedMemory: true, crossOriginIsolated: true });
  expectPair(`${l}: page's values as the worker received them`, s.valuesAtWorker);
  expectPair(`${l}: page's values echoed back by the worker`, s.valuesEchoed);
  expectPair(`${l}: the worker's own values (number, string, object)`, s.valuesFromWorker);
  expectPair(`${l}: 10,000 values worker → page (count, checksum, out of order)`, s.bulkToPage);
  expectPair(`${l}: 10,000 values page → worker (count, checksum, out of order)`, s.bulkToWorker);
  expectEq(`${l}: unbuffered ping-pong, 1,000 round trips`, s.pingpong, { last: 1000, workerTrips: 1000 });
  expectEq(`${l}: select, the local channel ready`, s.selectLocalReady, [1, "local"]);
  expectEq(`${l}: select, after() fires`, s.selectTimeout, 2);
  expectEq(`${l}: select, woken by the worker's send`, s.selectShared, [0, "fed by the worker"]);
  expectEq(`${l}: a timer ran while the page waited`, s.eventLoopRanDuringWait, true);
  expectEq(`${l}: select with a shared send case`, s.selectSend, [0, "via select"]);
  expectEq(`${l}: close by the worker, recvOk on the page`, s.closeSeen, { first: ["99", "true"], second: ["undefined", "false"] });
  expectEq(`${l}: trySend on the page after it saw the close`, s.sendAfterClose, "send on closed channel");
  expectEq(`${l}: the worker went on after closing`, s.workerClosed, "closed");
  expectEq(`${l}: numGoroutine() in the worker at its end`, s.workerNumGoroutine, 0);
  const late = s.lateAttach;
  expectEq(`${l}: attach() after a worker's own chan() throws a TypeError`, [late?.name, late?.isTypeError], ["TypeError", true]);
  check(`${l}: its message says the handle is of another memory`, /another memory/.test(late?.message ?? ""),
    JSON.stringify(late?.message), "a message with \"another memory\"");
  expectEq(`${l}: numGoroutine() on the page after`, s.pageNumGoroutine, 0);
}

// The plain page: no SharedArrayBuffer; shared channels refused with the headers to send.
function checkPlain(label, r) {
  const p = r.plain ?? {};
  const e = p.sharedChan;
  expectEq(`${label}: chan(1, { shared: true }) throws a TypeError`, [e?.name, e?.isTypeError], ["TypeError", true]);
  const message = typeof e?.message === "string" ? e.message : "";
  for (const header of ["Cross-Origin-Opener-Policy", "Cross-Origin-Embedder-Policy"]) {
    check(`${label}: its message names ${header}`, message.includes(header), JSON.stringify(message), `a message with ${header}`);
  }
  expectEq(`${label}: handle() of a local channel throws a TypeError`, p.handleOfLocal, "TypeError");
  expectEq(`${label}: a local channel works after the refusal`, p.localAfterRefusal, [5, true]);
}

finish("browser");
