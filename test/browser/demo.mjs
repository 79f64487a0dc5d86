// The live demo (demo/, `npm run demo:web`) in headless Chromium, driven by puppeteer-core: vite's
// dev server with the demo's own config (its COOP/COEP headers and its API), the page opened with
// ?autorun, which runs every program in turn, draws each run's timeline from stopTrace() and
// POSTs a summary. Checks, from the page's summary: each program finished with the right result,
// its live view sampled goroutines, its timeline has goroutine tracks and slices. From the DOM,
// read while the programs run: the lanes the page lists for its goroutines (#lanes, the canvas's
// text alternative), their states among those the page colours, and the canvases' pixels. And
// no error on the page or its console. Screenshots go to build/demo.png (during the fan-out,
// with the sieve's timeline drawn: the README's picture is a copy) and build/demo-end.png.
import { createServer } from "vite";
import { fileURLToPath } from "node:url";
import { mkdirSync } from "node:fs";
import puppeteer from "puppeteer-core";
import { chromium, resultPlugin, checker } from "./chromium.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const configFile = fileURLToPath(new URL("../../demo/vite.config.mjs", import.meta.url));
const { check, finish } = checker();
mkdirSync(`${root}build`, { recursive: true });

const { result, plugin } = resultPlugin();
const server = await createServer({ configFile, logLevel: "warn", clearScreen: false, plugins: [plugin], server: { host: "127.0.0.1", port: 0 } });
await server.listen();
const url = `${server.resolvedUrls.local[0]}?autorun`;
console.log(`── the demo, vite dev server (${url})`);

// What the page shows as its goroutines' states: "running", "runnable", Go's wait reasons, and
// "waiting" for a wait baton cannot attribute (GoroutineInfo.state).
const STATES = /^(running|runnable|waiting|chan receive|chan send|select|sleep|sync\.\w+(\.\w+)?)$/;

/** Run in the page: the pixels of canvas #id that something was drawn on. */
function paintedPixels(id) {
  const c = document.getElementById(id);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
  return n;
}

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const pageErrors = [];
let r;
const seen = new Map(); // program title → { maxLanes, states }
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1040, height: 900 });
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => pageErrors.push(`page error: ${e.message}`));
  page.on("response", (res) => {
    if (res.status() >= 400) pageErrors.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  await page.goto(url);
  let done = false;
  let shot = false;
  let fanSince;
  const summary = result.then((text) => {
    done = true;
    return JSON.parse(text);
  });
  const deadline = Date.now() + 120_000;
  while (!done && Date.now() < deadline) {
    const now = await page.evaluate(() => ({
      status: document.getElementById("status").textContent,
      lanes: [...document.querySelectorAll("#lanes li")].map((li) => ({ worker: li.dataset.worker, state: li.dataset.state, text: li.textContent })),
    }));
    now.timelinePixels = await page.evaluate(paintedPixels, "timeline");
    const title = now.status.replace(/: .*$/s, "");
    if (now.status.endsWith("running…")) {
      const s = seen.get(title) ?? { maxLanes: 0, states: new Set(), texts: new Set(), workers: new Set(), maxWorkerLanes: 0 };
      s.maxLanes = Math.max(s.maxLanes, now.lanes.length);
      s.maxWorkerLanes = Math.max(s.maxWorkerLanes, now.lanes.filter((l) => l.worker !== undefined).length);
      for (const l of now.lanes) {
        s.states.add(l.state);
        s.texts.add(l.text);
        if (l.worker !== undefined) s.workers.add(l.worker);
      }
      seen.set(title, s);
      // The picture: 0.7 s into the fan-out, when its lanes fill half the live view.
      if (title === "Fan-out of requests") fanSince ??= Date.now();
      if (!shot && fanSince !== undefined && Date.now() - fanSince >= 700 && now.lanes.length >= 4 && now.timelinePixels > 0) {
        shot = true;
        await page.screenshot({ path: `${root}build/demo.png` });
      }
    }
    await new Promise((res) => setTimeout(res, 40));
  }
  r = await Promise.race([summary, new Promise((_, rej) => setTimeout(() => rej(new Error("the page did not report within 120 s")), Math.max(0, deadline - Date.now())))]);
  await page.screenshot({ path: `${root}build/demo-end.png`, fullPage: true });
  check("demo: screenshot during the fan-out, with the sieve's timeline (build/demo.png)", shot, String(shot));
  r.livePixels = await page.evaluate(paintedPixels, "live");
} catch (e) {
  r = { error: e.message };
} finally {
  await browser.close();
  await server.close();
}

if (r.error !== undefined) {
  check("demo: the page reported", false, r.error);
} else {
  check("demo: cross-origin isolated (shared memory)", r.sharedMemory === true, String(r.sharedMemory));
  for (const key of ["sieve", "fanout", "pipeline", "pool"]) {
    const p = r.programs?.[key];
    if (p === undefined) {
      check(`demo ${key}: ran`, false, "no report");
      continue;
    }
    check(`demo ${key}: finished with its result`, p.ok === true, JSON.stringify(p.error ?? p.result));
    check(`demo ${key}: live lanes sampled`, p.samples > 0 && p.lanes > 0, `${p.lanes} goroutines in ${p.samples} samples`);
    check(`demo ${key}: timeline drawn from stopTrace()`, p.tracks > 0 && p.slices > 0,
      `${p.tracks} tracks, ${p.slices} slices, ${p.flows} flows, ${p.ms} ms`);
    if (key === "pool") {
      check("demo pool: the timeline has the workers' goroutines beside the page's (pool.stopTrace())", p.workerTracks >= 4,
        `${p.workerTracks} worker tracks`);
    }
  }
  // The DOM, as read while the programs ran: the sieve's filters, the fan-out's workers and the
  // pool's tasks on its Web Workers (pool.goroutines()) are lanes, each with a state the page knows.
  const sieve = seen.get("Prime sieve");
  check("demo DOM: the sieve's goroutines listed as lanes", (sieve?.maxLanes ?? 0) >= 5, `at most ${sieve?.maxLanes ?? 0} lanes at once`);
  check("demo DOM: the sieve's lanes name its filter goroutines", [...(sieve?.texts ?? [])].some((t) => /^g\d+ filter: /.test(t)),
    [...(sieve?.texts ?? [])].slice(0, 3).join(" | "));
  const fan = seen.get("Fan-out of requests");
  check("demo DOM: the fan-out's goroutines listed as lanes", (fan?.maxLanes ?? 0) >= 4, `at most ${fan?.maxLanes ?? 0} lanes at once`);
  const pool = seen.get("Worker pool");
  check("demo DOM: the pool's goroutines on both Web Workers listed as lanes, named after their task",
    (pool?.maxWorkerLanes ?? 0) >= 2 && pool.workers.size === 2 && [...pool.texts].some((t) => /^w[01] g\d+ countPrimes: /.test(t)),
    `at most ${pool?.maxWorkerLanes ?? 0} worker lanes at once, workers ${[...(pool?.workers ?? [])].join(", ")}; ${[...(pool?.texts ?? [])].filter((t) => t.startsWith("w")).slice(0, 3).join(" | ")}`);
  const states = new Set([...seen.values()].flatMap((s) => [...s.states]));
  check("demo DOM: every lane's state is one the page colours", [...states].every((s) => STATES.test(s)), [...states].join(", "));
  check("demo DOM: lanes seen waiting on channels", states.has("chan receive") || states.has("chan send") || states.has("select"), [...states].join(", "));
  check("demo DOM: the live canvas is drawn", r.livePixels > 0, `${r.livePixels} painted pixels`);
  check("demo: no error on the page or its console", r.errors.length === 0 && pageErrors.length === 0, JSON.stringify([...r.errors, ...pageErrors]));
}
finish("demo");
