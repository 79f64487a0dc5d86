// The batonjs/nats entry point, without a server: baton's main entry never loads it or the NATS
// client, importing it without the client installed fails with an error that says what to
// install, and a second copy's batonjs/nats refuses to make channels. In child processes over
// the built package (dist/).

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

function node(cwd: string, code: string) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd, encoding: "utf8", timeout: 20_000 });
}

describe("batonjs/nats, the entry point", () => {
  it("baton's main entry loads neither batonjs/nats nor the NATS client", () => {
    const r = node(
      root,
      `import * as baton from "./dist/index.js";
       import { createRequire } from "node:module";
       const cache = Object.keys(createRequire(import.meta.url).cache);
       const ch = baton.chan(1); await ch.send(1); await ch.recv();
       console.log(JSON.stringify(cache.filter((k) => k.includes("@nats-io"))));`,
    );
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([]);
    // Nor does any file of the main entries' bundles hold them: batonjs/nats and its modules
    // (foreign.ts among them) are in nats.cjs and esm/nats.js only.
    for (const f of ["index.js", "index.cjs", "baton.cjs", "testing.cjs", "esm/index.js", "esm/baton.js", "esm/testing.js"]) {
      const code = readFileSync(path.join(root, "dist", f), "utf8");
      expect(code, f).not.toMatch(/@nats-io|NatsChan|ForeignChan|outsideSelect|nats\.c?js/);
    }
  });

  it("a batonjs/nats of a second copy of baton refuses, with an error that says why, where the first copy's select would not know its channels", () => {
    // The ES module build (a bundler's copy) loaded first is the thread's runtime; batonjs/nats
    // required then is the CommonJS copy's, whose channels that runtime's select cannot serve.
    const r = node(
      root,
      `await import("./dist/esm/index.js");
       const { createRequire } = await import("node:module");
       const nats = createRequire(import.meta.url)("./dist/nats.cjs");
       const says = (p) => p.then(() => "resolved", (e) => e.name + ": " + e.message);
       console.log(JSON.stringify([await says(nats.natsChan(null, "x", { capacity: 1 })), await says(nats.removeNatsChan(null, "x"))]));`,
    );
    expect(r.stderr).toBe("");
    const [made, removed] = JSON.parse(r.stdout) as string[];
    expect(made).toMatch(/^Error: natsChan: batonjs\/nats and batonjs come from two copies of baton .*: load both the same way$/);
    expect(removed).toMatch(/^Error: removeNatsChan: batonjs\/nats and batonjs come from two copies of baton/);
  });

  it("importing it without the NATS client installed says what to install", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "baton-noclient-"));
    try {
      cpSync(path.join(root, "dist"), path.join(dir, "dist"), { recursive: true });
      writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
      const r = node(dir, `await import("./dist/nats.js");`);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("batonjs/nats needs the NATS client");
      expect(r.stderr).toContain("npm install @nats-io/transport-node @nats-io/jetstream");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
