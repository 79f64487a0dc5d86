// The live demo (demo/, `npm run demo:web`) in headless Chromium: vite's dev server with the
// demo's own config (its COOP/COEP headers and its API), the page opened with ?autorun, which
// runs every program in turn, draws each run's timeline from stopTrace() and POSTs a summary.
// Checks: each program finished with the right result, its live view sampled goroutines, its
// timeline has goroutine tracks and slices, and the page logged no error.
import { createServer } from "vite";
import { fileURLToPath } from "node:url";
import { runPage, resultPlugin, checker } from "./chromium.mjs";

const configFile = fileURLToPath(new URL("../../demo/vite.config.mjs", import.meta.url));
const { check, finish } = checker();

const { result, plugin } = resultPlugin();
const server = await createServer({ configFile, logLevel: "warn", clearScreen: false, plugins: [plugin], server: { host: "127.0.0.1", port: 0 } });
await server.listen();
const url = `${server.resolvedUrls.local[0]}?autorun`;
console.log(`── the demo, vite dev server (${url})`);
let r;
try {
  r = await runPage(url, result).catch((e) => ({ error: e.message }));
} finally {
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
  }
  check("demo: no error on the page", Array.isArray(r.errors) && r.errors.length === 0, JSON.stringify(r.errors));
}

finish("browser demo");
