// workers() in a vite app (`npm run test:browser` runs it after run.mjs): test/browser/app/ is
// copied beside a node_modules/batonjs that holds the package as npm installs it (package.json
// and dist/), then served cross-origin isolated twice — by vite's dev server (which pre-bundles
// batonjs) and by vite preview over a vite build — with no vite configuration but the two
// headers. Headless Chromium runs each: a pool of module Web Workers, a task module that imports
// batonjs itself (its own copy, beside the pool worker's), goroutines over shared channels; and a
// dependency with a copy of baton of its own on the page.
import { createServer, build, preview } from "vite";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runPage, resultPlugin, checker } from "./chromium.mjs";
import { coreMarker } from "../helpers/core-marker.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));
const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

// An app directory as a user has it: the app's files and batonjs installed from the package.
const app = mkdtempSync(join(tmpdir(), "baton-app-"));
cpSync(join(here, "app"), app, { recursive: true });
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
cpSync(join(root, "package.json"), join(app, "node_modules/batonjs/package.json"));
cpSync(join(root, "dist"), join(app, "node_modules/batonjs/dist"), {
  recursive: true,
  filter: (src) => !/[\\/]debug\.[^\\/]*$/.test(src) || !pkg.files.includes("!dist/debug.*"),
});

// A dependency that brings its own copy of baton (a vendored dist/esm): the page then has two
// copies, which must join (main.ts compares what each exports).
cpSync(join(root, "dist/esm"), join(app, "node_modules/baton-user-lib/baton"), { recursive: true });
writeFileSync(join(app, "node_modules/baton-user-lib/package.json"),
  JSON.stringify({ name: "baton-user-lib", version: "1.0.0", type: "module", exports: "./index.js" }));
writeFileSync(join(app, "node_modules/baton-user-lib/index.js"),
  'export { chan as libChan, numGoroutine as libNumGoroutine } from "./baton/index.js";\n');

const { check, expectEq, finish } = checker();

function checkApp(label, r) {
  if (r.error !== undefined) {
    check(`${label}: the page ran`, false, `${r.error}\n${r.stack ?? ""}`, "no error");
    return;
  }
  expectEq(`${label}: cross-origin isolated, shared memory`, [r.crossOriginIsolated, r.sharedMemory], [true, true]);
  expectEq(`${label}: 40 jobs on 3 pool goroutines over 2 module Web Workers`, r.jobs, Array.from({ length: 40 }, (_, i) => i + 1));
  expectEq(`${label}: each squared by a goroutine the task started, through select with after()`, r.squares, true);
  check(`${label}: the task module's baton is the pool worker's (numGoroutine, goroutines())`, r.oneRuntime === true,
    JSON.stringify(r.sample), "numGoroutine >= 1 and the pool worker's goroutine listed");
  expectEq(`${label}: a task's panic reaches the page's handler`, r.panics, ["RangeError: a task's panic"]);
  expectEq(`${label}: a dependency's own copy of baton on the page is the app's (chan, numGoroutine, a channel in select)`,
    r.pageCopies, { sameChan: true, sameNumGoroutine: true, selected: [0, 5] });
}

const base = { root: app, configFile: false, logLevel: "warn", clearScreen: false };
try {
  // vite's dev server: batonjs pre-bundled into node_modules/.vite/deps.
  {
    const { result, plugin } = resultPlugin();
    const server = await createServer({ ...base, plugins: [plugin], server: { host: "127.0.0.1", port: 0, headers } });
    await server.listen();
    const url = server.resolvedUrls.local[0];
    console.log(`── vite dev server (${url})`);
    try {
      checkApp("vite dev", await runPage(url, result).catch((e) => ({ error: e.message })));
    } finally {
      await server.close();
    }
  }
  // vite build, served by vite preview.
  {
    const outDir = join(app, "dist");
    await build({ ...base, build: { outDir, emptyOutDir: true } });
    const built = readdirSync(join(outDir, "assets")).sort();
    console.log(`── vite build: ${built.join(", ")}`);
    expectEq("vite build: the pool worker bundled as a file of its own", built.filter((f) => /^pool-worker-.*\.js$/.test(f)).length, 1);
    expectEq("vite build: the task module built as a module of its own", built.filter((f) => /^tasks-.*\.js$/.test(f)).length, 1);
    // Each worker bundle holds a copy of baton (the embedded core once): in a pool worker the
    // task module's copy and the pool worker's are two, which must join (checked on the page).
    const core = coreMarker();
    const copies = Object.fromEntries(built.filter((f) => /^(pool-worker|tasks|index)-.*\.js$/.test(f))
      .map((f) => [/^(pool-worker|tasks|index)-/.exec(f)[1], readFileSync(join(outDir, "assets", f), "latin1").split(core).length - 1]));
    expectEq("vite build: copies of baton: one in the pool worker's bundle, one in the task module's, two on the page (the dependency's)",
      copies, { index: 2, "pool-worker": 1, tasks: 1 });
    const { result, plugin } = resultPlugin();
    const server = await preview({ ...base, plugins: [plugin], build: { outDir }, preview: { host: "127.0.0.1", port: 0, headers } });
    const url = server.resolvedUrls.local[0];
    console.log(`── vite preview of the build (${url})`);
    try {
      checkApp("vite build", await runPage(url, result).catch((e) => ({ error: e.message })));
    } finally {
      await server.close();
    }
  }
} finally {
  rmSync(app, { recursive: true, force: true });
}

finish("browser app");
