// The package's files (dist/), from what tsc compiled into build/tsc/ (`npm run build` runs both).
//
// dist/ (README.md, "Node, CommonJS and bundlers", says why):
//   baton.cjs         CommonJS: all of baton, one compact file (the core inside, once),
//                     shared by the entries, so that a thread has one baton whichever it loads
//   <entry>.cjs       CommonJS: the entry's exports, taken from baton.cjs
//   esm/              ES modules, for Node's `import`, browsers and bundlers: <entry>.js over
//                     esm/baton.js, whose body is one function (functionScope)
//   <entry>.d.ts      the entry's declarations; index.d.ts holds every type, which the others
//                     import; .d.cts the same for require()
//   <entry>.js        esm/<entry>.js re-exported, for the repository's tests (not in the package)
//   pool-worker.*     a pool worker's entry, in a file of its own (its code runs at load)
//   nats.*            batonjs/nats with its own modules (`separate`), over the shared chunk
//
// ENTRIES are the package's entry points (package.json "exports" names the public ones), plus
// those that tests and the pool load by path. Adding one is one line here and one in
// package.json's "exports". An entry whose modules import another package (src/nats.ts and
// @nats-io/*) must keep them out of the shared chunk, or its imports would load with baton
// itself, everywhere: `own: true` for an entry that is one module, `separate` (a pattern of the
// modules that stay in the entry's file) for one with modules of its own. Bare imports (other
// packages, node: modules) stay imports: nothing is bundled but src/.
import { writeFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { dts } from "rollup-plugin-dts";
import { transform } from "esbuild";

/** Entry name → what it is. Each is src/<name>.ts. */
const ENTRIES = {
  index: { declarations: true },
  testing: { declarations: true },
  debug: { declarations: true }, // tests', benchmarks' and diagnostics' view of the core: not in "exports"
  // Started by workers() from its URL beside baton's own file; its code runs at load, so it is
  // not in the shared chunk (which every thread runs) but in its own file.
  "pool-worker": { declarations: false, own: true },
  // batonjs/nats: nats.ts, nats/* and foreign.ts stay in its own file over the shared chunk, so
  // that the other entries never load them (nor, through them, the NATS client).
  nats: { declarations: true, separate: /[\\/]build[\\/]tsc[\\/](nats\.js$|nats[\\/]|foreign\.js$)/ },
};

// Every module goes into one chunk, "baton", shared by the entries of a format (one copy of
// baton's state per thread). An entry is a facade over it (`export * from` its module, generated
// here), except an `own` one. In CommonJS an imported `let` that the module reassigns is read
// from the chunk's exports object, so the build fails if the shared chunk exports one (see
// checkNoLiveExports): a module outside it reads such a value through a function.
const FACADE = "\0facade:";
const input = Object.fromEntries(
  Object.entries(ENTRIES).map(([n, e]) => [n, e.own ? `build/tsc/${n}.js` : `${FACADE}${n}`]),
);
const ownModules = new Set(
  Object.entries(ENTRIES)
    .filter(([, e]) => e.own)
    .map(([n]) => fileURLToPath(new URL(`build/tsc/${n}.js`, import.meta.url))),
);
const separate = Object.values(ENTRIES).flatMap((e) => (e.separate ? [e.separate] : []));
const manualChunks = (id) =>
  id.startsWith(FACADE) || ownModules.has(id) || separate.some((re) => re.test(id)) ? undefined : "baton";
/** Bare imports (other packages, node: modules) stay imports. */
const external = (id) => !id.startsWith(".") && !isAbsolute(id) && !id.startsWith("\0");

// A facade takes its exports from the realm's runtime (src/runtime.ts): the first copy of baton
// loaded in a page or worker, so that two copies in one thread share one memory and one scheduler.
// Its export list is its module's, as rollup parsed it.
const VERSION = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8")).version;
const RUNTIME = fileURLToPath(new URL("build/tsc/runtime.js", import.meta.url));
/** The entries whose modules src/runtime.ts publishes (its Runtime's fields). */
const RUNTIME_ENTRIES = new Set(["index", "testing", "debug"]);
function facades() {
  return {
    name: "entry-facades",
    transform: (code, id) => (id === RUNTIME ? code.replaceAll("__BATON_VERSION__", JSON.stringify(VERSION)) : null),
    resolveId: (id) => (id.startsWith(FACADE) ? id : null),
    async load(id) {
      if (!id.startsWith(FACADE)) return null;
      const name = id.slice(FACADE.length);
      const module = fileURLToPath(new URL(`build/tsc/${name}.js`, import.meta.url));
      // batonjs/nats is not in the runtime (its modules are its own file's): it re-exports them.
      if (!RUNTIME_ENTRIES.has(name)) return `export * from ${JSON.stringify(module)};\n`;
      const info = await this.load({ id: module });
      const names = info.exports.filter((n) => n !== "default").sort();
      return (
        `import { runtime } from ${JSON.stringify(RUNTIME)};\n` +
        `const m = runtime().${name};\n` +
        `export const ${names.map((n) => `${n} = m.${n}`).join(", ")};\n`
      );
    },
  };
}

// A shared chunk's export that its code reassigns: rollup's CommonJS output reads every use of it
// as `exports.name` (a property load on the hot paths, and a slow one once exports is a
// dictionary). Each name must appear once, in its export statement.
function checkNoLiveExports() {
  return {
    name: "no-live-exports",
    renderChunk(code, chunk) {
      if (chunk.isEntry) return null;
      const counts = new Map();
      for (const [, name] of code.matchAll(/\bexports\.([A-Za-z_$][\w$]*)/g)) counts.set(name, (counts.get(name) ?? 0) + 1);
      const live = [...counts].filter(([, n]) => n > 1).map(([name]) => name);
      if (live.length > 0) {
        this.error(`${chunk.fileName} exports bindings that its code reassigns (${live.join(", ")}): read them through a function in the modules outside it`);
      }
      return null;
    },
  };
}

// The ES build's shared chunk, its body inside a function: V8 reads and writes a module's
// top-level bindings more slowly than a function's locals, and baton's hot paths use its own
// (the core, the slot table, the preemption budget...). Measured side by side (bench/min.mjs,
// pingpong): 306-326 ns per round trip so against 338-347 ns as module scope, the CommonJS build
// (a function already) 303-325 ns. The chunk imports nothing; its exports become constants of
// the module (checkNoLiveExports holds the CommonJS build to exporting no binding it reassigns,
// and this is the same code); `import.meta` is valid in a module's functions, so bundlers still
// see `new Worker(new URL("./pool-worker.js", import.meta.url), ...)`.
function functionScope() {
  return {
    name: "function-scope",
    renderChunk(code, chunk) {
      if (chunk.isEntry) return null;
      if (/^\s*import\s/m.test(code)) this.error(`${chunk.fileName} imports: its body cannot be wrapped in a function`);
      const m = /\nexport \{([^}]*)\};\s*$/.exec(code);
      if (m === null) this.error(`${chunk.fileName}: no export list at its end`);
      const pairs = m[1]
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
        .map((x) => {
          const [local, exported = local] = x.split(/\s+as\s+/);
          return [local, exported];
        });
      const body = code.slice(0, m.index);
      const ret = `return { ${pairs.map(([l, e]) => `${e}: ${l}`).join(", ")} };`;
      const names = pairs.map(([, e]) => e).join(", ");
      return { code: `const chunk$ = (() => {\n${body}\n${ret}\n})();\nexport const { ${names} } = chunk$;\n`, map: null };
    },
  };
}

// dist/<entry>.js: Node's `import` loads the ES module build (esm/<entry>.js) through the
// package's "import" condition; these files re-export it for the repository's own tests, benches
// and examples, which import dist/<entry>.js by path (package.json's "files" leaves them out).
// dist/pool-worker.js is the CommonJS build's pool worker: workers() starts `./pool-worker.js`
// beside the file it runs from, and for baton.cjs that is this one, which runs pool-worker.cjs.
function nodeWrappers() {
  const exported = new Map();
  return {
    name: "node-wrappers",
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === "chunk" && chunk.isEntry) exported.set(chunk.name, chunk.exports);
      }
    },
    writeBundle() {
      for (const [name, names] of exported) {
        const text =
          name === "pool-worker"
            ? `// The pool worker that baton.cjs starts. Generated by rollup.config.mjs.\nimport "./pool-worker.cjs";\n`
            : `// For the repository's tests and benches: the ES module entry (what Node's import loads).\n// Generated by rollup.config.mjs.\n` +
              (names.length === 0 ? `import "./esm/${name}.js";\n` : `export * from "./esm/${name}.js";\n`);
        writeFileSync(`dist/${name}.js`, text);
      }
    },
  };
}

// Two fixes to the rolled-up declarations, once written:
//  - a class that its entry exports as a type only (`export type { Chan }`) is exported by
//    rollup-plugin-dts as a value (its issue #311), which would let `new Chan()` compile where the
//    module has no such export: such names go back into an `export type { ... }`;
//  - the CommonJS declarations: each .d.ts again as .d.cts, importing its siblings' .d.cts;
//    and, beside each ES module entry in esm/, a .d.ts that re-exports its declarations.
function fixDeclarations() {
  return {
    name: "fix-declarations",
    writeBundle() {
      for (const f of readdirSync("dist")) {
        if (!f.endsWith(".d.ts")) continue;
        const name = f.slice(0, -".d.ts".length);
        const source = readFileSync(`build/tsc/${name}.d.ts`, "utf8");
        const typeOnly = new Set(
          [...source.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1].split(",").map((s) => s.trim()).filter(Boolean)),
        );
        let text = readFileSync(`dist/${f}`, "utf8").replace(/^export \{([^}]*)\};$/m, (_all, list) => {
          const names = list.split(",").map((s) => s.trim()).filter(Boolean);
          const values = names.filter((n) => !typeOnly.has(n));
          const types = names.filter((n) => typeOnly.has(n));
          return `export { ${values.join(", ")} };` + (types.length > 0 ? `\nexport type { ${types.join(", ")} };` : "");
        });
        writeFileSync(`dist/${f}`, text);
        text = text.replace(/(from\s+["']\.\/[\w-]+)\.js(["'])/g, "$1.cjs$2");
        writeFileSync(`dist/${name}.d.cts`, text);
        // Beside each ES module entry, for code that imports dist/esm/<name>.js by path (the
        // package's "types" conditions point at dist/<name>.d.ts).
        writeFileSync(`dist/esm/${name}.d.ts`, `export * from "../${name}.js";\n`);
      }
    },
  };
}

// The bundles, compacted by esbuild: no comments (half of tsc's output), whitespace and syntax
// minified, names kept (stack traces still say `drain`, `Chan.close`), lines of at most 120
// characters (Node prints the source line of an uncaught error: never a 100 KB one). Node reads
// and pre-parses every byte at load: 279 KB as tsc wrote it, 119 KB so; require() takes ~3 ms
// less (measured on the 2-core machine, median of fresh processes). ASCII only (other characters
// escaped): one would have V8 hold and scan the whole file as two-byte text.
function compact() {
  return {
    name: "compact",
    async renderChunk(code) {
      const r = await transform(code, { target: "es2022", charset: "ascii", minifyWhitespace: true, minifySyntax: true, lineLimit: 120 });
      // A bundler finds a worker by the expression `new Worker(new URL("…", import.meta.url), { type:
      // "module" })` (workers.ts), read with a pattern: lineLimit's breaks (`import.meta.⏎url`,
      // a string's line continuation) are taken out of it again.
      const worker = /new\s+Worker\(\s*new\s+URL\([^)]*\)\s*,\s*\{[^}]*\}\)/g;
      const joined = (m) => m.replace(/\\\n/g, "").replace(/(\w)\n(\w)/g, "$1 $2").replace(/\n/g, "");
      // A dynamic import of a URL known at run time (pool-worker.ts) keeps its /* @vite-ignore */,
      // which esbuild takes out with the other comments: vite warns of an import it cannot analyse.
      const dynamic = /\bimport\((?=[A-Za-z_$])/g;
      return { code: r.code.replace(worker, joined).replace(dynamic, "import(/* @vite-ignore */ "), map: null };
    },
  };
}

function clean() {
  return {
    name: "clean",
    buildStart() {
      rmSync("dist", { recursive: true, force: true });
      mkdirSync("dist");
    },
  };
}

const onwarn = (warning, warn) => {
  // Circular imports between baton's own modules are resolved by the ESM order tsc kept.
  if (warning.code === "CIRCULAR_DEPENDENCY") return;
  warn(warning);
};

export default [
  {
    input,
    onwarn,
    external,
    plugins: [clean(), facades()],
    // `import.meta.url` in the CommonJS build: rollup gives the URL of the file (baton.cjs), from
    // __filename; workers() starts ./pool-worker.js beside it.
    output: [
      { dir: "dist", format: "cjs", entryFileNames: "[name].cjs", chunkFileNames: "[name].cjs", manualChunks, generatedCode: "es2015", plugins: [checkNoLiveExports(), compact()] },
      { dir: "dist/esm", format: "es", entryFileNames: "[name].js", chunkFileNames: "[name].js", manualChunks, plugins: [functionScope(), compact(), nodeWrappers()] },
    ],
  },
  {
    input: Object.fromEntries(Object.keys(ENTRIES).filter((n) => ENTRIES[n].declarations).map((n) => [n, `build/tsc/${n}.d.ts`])),
    onwarn,
    external,
    plugins: [dts()],
    // Every declaration lands in index.d.ts, which the other entries' declarations import from
    // (those share its types, as the Chan and GoroutineInfo they take and give).
    preserveEntrySignatures: "allow-extension",
    output: {
      dir: "dist",
      format: "es",
      entryFileNames: "[name].d.ts",
      // batonjs/nats's declarations stay in nats.d.ts: they import the NATS client's types.
      manualChunks: (id) => (/[\\/]build[\\/]tsc[\\/]((testing|debug|nats)\.d\.ts$|nats[\\/])/.test(id) ? undefined : "index"),
      plugins: [fixDeclarations()],
    },
  },
];
