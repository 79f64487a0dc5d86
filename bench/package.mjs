// What a user pays for the package (`npm run measure`, after a build):
//  - load time in Node, in fresh processes, each an ES module app (a file, as an app's entry is)
//    that first imports a one-line package ("empty", installed beside batonjs) and then
//    `await import("batonjs")`, timed around that import alone: what baton adds to an app's
//    start. The first import of a package in a process also sets up Node's package resolver
//    (~3 ms here), which any app with one dependency pays once: the empty package pays it, and
//    its time is printed apart. Also, for comparison, the first import being baton's, and
//    `require("batonjs")` from a CommonJS app (after requiring the empty package). RUNS each;
//    the median and the spread are printed.
//  - bytes: `import * as baton from "batonjs"` bundled for the browser by esbuild with --minify,
//    then gzip -9 (and brotli), with the share of the embedded core, and the minified bytes of
//    each module (src/ bundled the same way, through esbuild's metafile).
// Targets (issue 9): import ≤ 15 ms on the project's 2-core machine, import * ≤ 10 KB min+gzip.
// Usage: node bench/package.mjs [--runs N] [--json] [--rt]
//   --rt  runs each timed process at real-time priority (chrt -f 50; Linux, as root), so that
//         the other processes of a shared machine weigh less on the figure.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { build } from "esbuild";
import { coreMarker, copiesOfCore } from "../test/helpers/core-marker.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 21;
const asJson = args.includes("--json");
const rt = args.includes("--rt");

// A project beside nothing else that has batonjs in its node_modules, as npm installs it: the
// package's files copied (a link would have Node resolve it to this repository, a path longer to
// look up and with this repository's package.json around it).
const project = mkdtempSync(join(tmpdir(), "batonjs-measure-"));
mkdirSync(join(project, "node_modules", "batonjs"), { recursive: true });
cpSync(join(root, "dist"), join(project, "node_modules", "batonjs", "dist"), { recursive: true });
cpSync(join(root, "package.json"), join(project, "node_modules", "batonjs", "package.json"));
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "measure", private: true }));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// A package of one line, resolved as batonjs is (node_modules, "exports" with the same nesting of
// conditions: the first such package that a process resolves costs ~1.5 ms more than a flat one).
mkdirSync(join(project, "node_modules", "empty"));
writeFileSync(
  join(project, "node_modules", "empty", "package.json"),
  JSON.stringify({
    name: "empty",
    exports: {
      ".": {
        import: { types: "./index.d.ts", default: "./index.mjs" },
        require: { types: "./index.d.cts", default: "./index.cjs" },
      },
    },
  }),
);
writeFileSync(join(project, "node_modules", "empty", "index.mjs"), "export const empty = true;\n");
writeFileSync(join(project, "node_modules", "empty", "index.cjs"), "exports.empty = true;\n");

/** The apps, each printing one JSON line: `first`, the empty package's time, and `ms`, baton's. */
const APPS = {
  "import.mjs": `let t = performance.now(); await import("empty"); const first = performance.now() - t;
t = performance.now(); await import("batonjs"); const ms = performance.now() - t;
console.log(JSON.stringify({ first, ms }));\n`,
  "import-first.mjs": `const t = performance.now(); await import("batonjs"); const ms = performance.now() - t;
console.log(JSON.stringify({ first: 0, ms }));\n`,
  "require.cjs": `let t = performance.now(); require("empty"); const first = performance.now() - t;
t = performance.now(); require("batonjs"); const ms = performance.now() - t;
console.log(JSON.stringify({ first, ms }));\n`,
};
for (const [f, code] of Object.entries(APPS)) writeFileSync(join(project, f), code);

/** Load times (ms) of one app, in a fresh process each time: baton's, and the empty package's. */
function loadTimes(app) {
  const times = [];
  const firsts = [];
  for (let i = 0; i < RUNS; i++) {
    const argv = [join(project, app)];
    const [cmd, args] = rt ? ["chrt", ["-f", "50", process.execPath, ...argv]] : [process.execPath, argv];
    const r = spawnSync(cmd, args, { cwd: project, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    if (r.status !== 0) throw new Error(`${app} failed:\n${r.stderr}`);
    const { first, ms } = JSON.parse(r.stdout.trim());
    times.push(ms);
    firsts.push(first);
  }
  return { times, firsts };
}

const summary = (xs) => ({ median: +median(xs).toFixed(2), min: +Math.min(...xs).toFixed(2), max: +Math.max(...xs).toFixed(2) });

/** `entry` bundled for a browser by esbuild with --minify (what every figure below is of), with
 *  esbuild options `more`. */
function browserBundle(entry, dir, more = {}) {
  return build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    absWorkingDir: dir,
    logLevel: "silent",
    ...more,
  });
}

async function bundleSize() {
  const entry = join(project, "entry.mjs");
  writeFileSync(entry, `import * as baton from "batonjs";\nglobalThis.baton = baton;\n`);
  const out = await browserBundle(entry, project);
  const js = Buffer.from(out.outputFiles[0].contents).toString("latin1");
  const marker = coreMarker();
  // The literal that holds the core, however esbuild printed it (its quotes, its escapes).
  const literal = [...js.matchAll(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g)].find((m) => m[0].includes(marker))?.[0] ?? "";
  const gz = (s) => gzipSync(Buffer.from(s, "latin1"), { level: 9 }).length;
  const br = (s) => brotliCompressSync(Buffer.from(s, "latin1"), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  return {
    minified: js.length,
    gzip: gz(js),
    brotli: br(js),
    coreCopies: copiesOfCore(js, marker),
    coreLiteral: literal.length,
    coreLiteralGzip: gz(literal),
    coreWasmGzip: gz(readFileSync(join(root, "build/core.wasm"))),
    withoutCoreGzip: gz(js.replace(literal, '""')),
    modules: await moduleBytes(),
    withoutGzip: await bytesWithout(WITHOUT),
  };
}

/** The modules that the single-thread part of baton could do without: the core, the value codec
 *  and inboxes of shared channels, workers(), the pool worker's threads, traces and dumps. */
const WITHOUT = ["core-wasm.generated", "codec", "inbox", "thread", "workers", "trace", "diag"];

/** src/index.ts bundled as above, but with the modules `names` left out (esbuild keeps their
 *  imports as imports): min+gzip bytes. What is left cannot run; it is a bound on what the rest
 *  weighs. */
async function bytesWithout(names) {
  const out = await browserBundle(join(root, "src/index.ts"), root, {
    plugins: [{
      name: "leave-out",
      setup(b) {
        b.onResolve({ filter: /^\./ }, (a) => (names.some((n) => a.path.endsWith(`/${n}.js`)) ? { path: a.path, external: true } : undefined));
      },
    }],
  });
  return gzipSync(out.outputFiles[0].contents, { level: 9 }).length;
}

/** Where the minified bytes of `import *` come from: src/index.ts bundled as above with esbuild's
 *  metafile, each module's share of the output, largest first. */
async function moduleBytes() {
  const out = await browserBundle(join(root, "src/index.ts"), root, { metafile: true });
  const [output] = Object.values(out.metafile.outputs);
  return Object.entries(output.inputs)
    .map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }))
    .filter((m) => m.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

try {
  const imp = loadTimes("import.mjs");
  const impFirst = loadTimes("import-first.mjs");
  const req = loadTimes("require.cjs");
  const size = await bundleSize();
  const result = {
    node: process.version,
    runs: RUNS,
    realTimePriority: rt,
    importMs: summary(imp.times),
    emptyPackageFirstImportMs: summary(imp.firsts),
    importAsFirstPackageMs: summary(impFirst.times),
    requireMs: summary(req.times),
    importStar: size,
  };
  if (asJson) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    const line = (s) => `median ${s.median} ms (min ${s.min}, max ${s.max})`;
    console.log(`Node ${result.node}, ${RUNS} fresh processes each${rt ? ", at real-time priority" : ""}`);
    console.log(`import("batonjs")                      ${line(result.importMs)}  (target 15 ms)`);
    console.log(`  the app's first package import before it (an empty package): ${line(result.emptyPackageFirstImportMs)}`);
    console.log(`import("batonjs") as the first package ${line(result.importAsFirstPackageMs)}`);
    console.log(`require("batonjs")                     ${line(result.requireMs)}`);
    console.log(
      `import * (esbuild --minify, browser): ${kb(size.minified)} minified, ${kb(size.gzip)} gzip -9, ${kb(size.brotli)} brotli (target 10 KB gzip)`,
    );
    console.log(
      `  ${size.coreCopies} copy of the core: a ${kb(size.coreLiteral)} string, ${kb(size.coreLiteralGzip)} gzipped alone ` +
        `(the Wasm file itself: ${kb(size.coreWasmGzip)}); the JavaScript without it: ${kb(size.withoutCoreGzip)} gzip`,
    );
    console.log(`  without ${WITHOUT.join(", ")}: ${kb(size.withoutGzip)} gzip`);
    console.log(`  minified bytes by module (src/index.ts through esbuild's metafile):`);
    for (const m of size.modules) console.log(`    ${String(m.bytes).padStart(7)}  ${m.file}`);
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}
