// What a user pays for the package (`npm run measure`, after a build):
//  - load time in Node: a fresh `node` that imports (or requires) "batonjs", timed inside the
//    process around the import alone, RUNS times; the median and the spread are printed;
//  - bytes: `import * as baton from "batonjs"` bundled for the browser by esbuild with --minify,
//    then gzip -9 (and brotli), with the share of the embedded core.
// Targets (issue 9): import ≤ 15 ms on the project's 2-core machine, import * ≤ 10 KB min+gzip.
// Usage: node scripts/measure-package.mjs [--runs N] [--json] [--rt]
//   --rt  runs each timed process at real-time priority (chrt -f 50; Linux, as root), so that
//         the other processes of a shared machine weigh less on the figure.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 21;
const asJson = args.includes("--json");
const rt = args.includes("--rt");

// A project beside nothing else that has batonjs in its node_modules, as an installed package.
const project = mkdtempSync(join(tmpdir(), "batonjs-measure-"));
mkdirSync(join(project, "node_modules"));
symlinkSync(root, join(project, "node_modules", "batonjs"), "dir");
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "measure", private: true }));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Milliseconds to load the package, in a fresh process each time. */
function loadTimes(kind) {
  const code =
    kind === "import"
      ? `const t = performance.now(); await import("batonjs"); console.log(performance.now() - t);`
      : `const t = performance.now(); require("batonjs"); console.log(performance.now() - t);`;
  const flags = kind === "import" ? ["--input-type=module"] : ["--input-type=commonjs"];
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const [cmd, argv] = rt ? ["chrt", ["-f", "50", process.execPath, ...flags, "-e", code]] : [process.execPath, [...flags, "-e", code]];
    const r = spawnSync(cmd, argv, { cwd: project, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    if (r.status !== 0) throw new Error(`${kind} failed:\n${r.stderr}`);
    times.push(Number(r.stdout.trim()));
  }
  return times;
}

async function bundleSize() {
  const entry = join(project, "entry.mjs");
  writeFileSync(entry, `import * as baton from "batonjs";\nglobalThis.baton = baton;\n`);
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    absWorkingDir: project,
    logLevel: "silent",
  });
  const js = out.outputFiles[0].contents;
  const core = /"(AGFzbQ[A-Za-z0-9+/=]+)"/.exec(Buffer.from(js).toString("latin1"))?.[1] ?? "";
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const cores = Buffer.from(js).toString("latin1").split("AGFzbQ").length - 1;
  return {
    minified: js.length,
    gzip: gz(js),
    brotli: br(js),
    coreCopies: cores,
    coreBase64: core.length,
    coreBase64Gzip: core ? gz(Buffer.from(core)) : 0,
    coreWasmGzip: core ? gz(Buffer.from(core, "base64")) : 0,
  };
}

try {
  const imp = loadTimes("import");
  const req = loadTimes("require");
  const size = await bundleSize();
  const result = {
    node: process.version,
    runs: RUNS,
    realTimePriority: rt,
    importMs: { median: +median(imp).toFixed(2), min: +Math.min(...imp).toFixed(2), max: +Math.max(...imp).toFixed(2) },
    requireMs: { median: +median(req).toFixed(2), min: +Math.min(...req).toFixed(2), max: +Math.max(...req).toFixed(2) },
    importStar: size,
  };
  if (asJson) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`Node ${result.node}, ${RUNS} fresh processes each${rt ? ", at real-time priority" : ""}`);
    console.log(`import("batonjs")   median ${result.importMs.median} ms (min ${result.importMs.min}, max ${result.importMs.max})`);
    console.log(`require("batonjs")  median ${result.requireMs.median} ms (min ${result.requireMs.min}, max ${result.requireMs.max})`);
    console.log(
      `import * (esbuild --minify, browser): ${kb(size.minified)} minified, ${kb(size.gzip)} gzip -9, ${kb(size.brotli)} brotli; ` +
        `${size.coreCopies} copy of the core (${kb(size.coreBase64)} base64: ${kb(size.coreBase64Gzip)} of the gzip alone; ` +
        `the Wasm itself gzips to ${kb(size.coreWasmGzip)})`,
    );
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}
