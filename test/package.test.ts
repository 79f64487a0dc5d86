// The package as it is published (dist/, built by `npm run build`; rollup.config.mjs lays it out):
//  - require("batonjs") works in Node (the CommonJS entry, no top-level await), runs goroutines,
//    channels, the testing entry and a pool worker, and is the same instance as import("batonjs");
//  - every entry point in package.json's "exports" exists, and each format's entries export the
//    same names;
//  - the bundles carry one copy of the core, and `import * as baton from "batonjs"` bundled for a
//    browser reaches for no Node module (sizes: bench/package.mjs; only a coarse bound
//    on bytes here, which are deterministic).

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { copiesOfCore } from "./helpers/core-marker.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | Record<string, Record<string, string>>>;
};

beforeAll(() => {
  if (!existsSync(join(dist, "index.cjs"))) throw new Error("dist/ is missing: run `npm run build` before these tests");
});

describe("CommonJS", () => {
  it('require("batonjs") runs goroutines, channels, leakCheck and a pool, as one instance with import()', () => {
    const r = spawnSync(process.execPath, [join(root, "test/fixtures/package/require.cjs")], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      got: [1, 2, 3],
      names: ["producer"],
      fired: 1,
      sharedMemory: true,
      squared: 49,
      panics: [["from a goroutine of a pool task", "panicker"]],
      sameInstance: true,
    });
  });

  it("has no top-level await in any ES module of the package (esbuild refuses one in CommonJS)", async () => {
    const modules = (readdirSync(dist, { recursive: true }) as string[]).filter((f) => f.endsWith(".js"));
    expect(modules.length).toBeGreaterThanOrEqual(8); // esm/: 6 entries and chunks; the tests' re-exports
    for (const f of modules) {
      const code = readFileSync(join(dist, f), "utf8");
      await expect(transform(code, { format: "cjs", logLevel: "silent" }), f).resolves.toBeDefined();
    }
    await expect(transform("await 1;", { format: "cjs", logLevel: "silent" })).rejects.toThrow(/[Tt]op-level await/);
  });
});

describe("entry points", () => {
  it("every file that package.json's exports name exists", () => {
    const targets: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === "string") targets.push(v);
      else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    expect(targets.length).toBeGreaterThanOrEqual(10);
    for (const t of targets) expect(existsSync(join(root, t)), t).toBe(true);
  });

  it("import, require and the ES module build export the same names; import and require give the same objects, but for batonjs/nats, whose required copy refuses to mix", () => {
    const r = spawnSync(process.execPath, [join(root, "test/fixtures/package/exports.mjs")], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(r.stderr).toBe("");
    type Seen = { esm: string[]; cjs: string[]; browser: string[]; notSame: string[]; sameFile: boolean; importSays?: string; requireSays?: string };
    const seen = JSON.parse(r.stdout) as Record<string, Seen>;
    expect(Object.keys(seen)).toEqual([pkg.name, `${pkg.name}/testing`, `${pkg.name}/nats`]);
    for (const [entry, e] of Object.entries(seen)) {
      expect(e.esm.length, entry).toBeGreaterThan(0);
      expect(e.cjs, entry).toEqual(e.esm);
      expect(e.browser, entry).toEqual(e.esm);
      expect(e.sameFile, entry).toBe(true); // Node's import is the ES module build itself
    }
    // Node loads the two builds from different files: two copies of baton, one runtime
    // (runtime.ts), so the main entries hand out the same objects either way.
    expect(seen[pkg.name]!.notSame).toEqual([]);
    expect(seen[`${pkg.name}/testing`]!.notSame).toEqual([]);
    // batonjs/nats is each copy's own; the copy that is not the runtime refuses with a clear
    // error rather than make channels that the program's select would not know.
    const nats = seen[`${pkg.name}/nats`]!;
    expect(nats.notSame.sort()).toEqual(["natsChan", "removeNatsChan"]);
    expect(nats.importSays).toBe("TypeError: natsChan: expected a NATS connection (connect() of @nats-io/transport-node), got null");
    expect(nats.requireSays).toMatch(/^Error: natsChan: batonjs\/nats and batonjs come from two copies of baton .*load both the same way$/);
  });


  it("the public entry exports what API.md lists (the names of this package's version)", () => {
    const require = createRequire(join(root, "package.json"));
    const names = Object.keys(require(pkg.name) as object);
    for (const n of [
      "chan", "recv", "send", "select", "trySelect", "go", "gosched", "numGoroutine", "setPanicHandler",
      "WaitGroup", "Mutex", "RWMutex", "Once", "Cond", "Semaphore", "Group", "sleep", "after", "tick",
      "newTimer", "newTicker", "background", "withCancel", "withTimeout", "withDeadline", "withValue",
      "Canceled", "DeadlineExceeded", "goroutines", "PanicError", "attach", "workers", "sharedMemory",
    ]) {
      expect(names).toContain(n);
    }
    // Internals stay internal.
    for (const n of ["formatDump", "spawn", "live", "core", "reportPanic"]) expect(names).not.toContain(n);
  });
});

describe("the bundles", () => {
  it("carry one copy of the core per format", () => {
    const cjs = readdirSync(dist).filter((f) => f.endsWith(".cjs"));
    const browser = readdirSync(join(dist, "esm")).filter((f) => f.endsWith(".js"));
    const count = (dir: string, files: string[]) =>
      files.reduce((n, f) => n + copiesOfCore(readFileSync(join(dir, f), "latin1")), 0);
    expect(count(dist, cjs)).toBe(1);
    expect(count(join(dist, "esm"), browser)).toBe(1);
    // Node's ES module entries carry none: they take everything from the CommonJS files.
    const wrappers = readdirSync(dist).filter((f) => f.endsWith(".js"));
    expect(count(dist, wrappers)).toBe(0);
  });

  it("import * bundled for a browser has one core, no Node module, and stays within its bound", async () => {
    const out = await build({
      stdin: { contents: `import * as baton from "batonjs";\nglobalThis.baton = baton;\n`, resolveDir: root, loader: "js" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    const js = Buffer.from(out.outputFiles[0]!.contents).toString("latin1");
    expect(copiesOfCore(js)).toBe(1);
    expect(js).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
    // A coarse bound (the figures: bench/package.mjs): a second copy of baton or of
    // the core would pass it.
    expect(js.length).toBeLessThan(128 * 1024);
  });

  it("bundled for Node (esbuild's node platform, ES module and CommonJS output), runs from another folder", async () => {
    // A bundle for Node takes what Node's conditions name: nothing of it may be left to resolve at
    // run time relative to the package's files (a createRequire("./index.cjs") would be).
    const imports = `import { chan, go } from "batonjs";\n`;
    const body = `
      const ch = chan(1);
      go(async function sender() { await ch.send(42); });
      console.log(JSON.stringify({ got: await ch.recv() }));
    `;
    const dir = mkdtempSync(join(tmpdir(), "batonjs-node-bundle-"));
    try {
      for (const format of ["esm", "cjs"] as const) {
        const file = join(dir, format === "esm" ? "bundle.mjs" : "bundle.cjs");
        await build({
          stdin: { contents: imports + (format === "esm" ? body : `(async () => {${body}})();`), resolveDir: root, loader: "js" },
          bundle: true,
          format,
          platform: "node",
          target: "node20",
          outfile: file,
          logLevel: "silent",
        });
        const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8", timeout: 30_000, env: { ...process.env, NODE_OPTIONS: "" } });
        expect(r.stderr, format).toBe("");
        expect(JSON.parse(r.stdout), format).toEqual({ got: 42 });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the browser build, bundled, runs: goroutines, a channel, select with after(), and a dump naming the function", async () => {
    const program = `
      import { chan, go, recv, select, after, goroutines } from "batonjs";
      const ch = chan();
      go(async function producer() { for (let i = 1; i <= 3; i++) await ch.send(i); ch.close(); });
      const fns = goroutines().map((g) => g.fn);
      let sum = 0;
      for await (const v of ch) sum += v;
      const fired = await select([recv(chan()), recv(after(5))]);
      console.log(JSON.stringify({ sum, fired, fns }));
    `;
    const dir = mkdtempSync(join(tmpdir(), "batonjs-browser-"));
    try {
      const file = join(dir, "bundle.mjs");
      await build({
        stdin: { contents: program, resolveDir: root, loader: "js" },
        bundle: true,
        format: "esm",
        platform: "browser",
        target: "es2022",
        outfile: file,
        logLevel: "silent",
      });
      const r = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 30_000, env: { ...process.env, NODE_OPTIONS: "" } });
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual({ sum: 6, fired: 1, fns: ["producer"] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
