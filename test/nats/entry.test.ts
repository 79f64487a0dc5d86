// The batonjs/nats entry point, without a server: baton's main entry never loads it or the NATS
// client, and importing it without the client installed fails with an error that says what to
// install. Both in child processes over the built package (dist/).

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
      `import * as baton from "./dist/esm/index.js";
       import { createRequire } from "node:module";
       const cache = Object.keys(createRequire(import.meta.url).cache);
       const ch = baton.chan(1); await ch.send(1); await ch.recv();
       console.log(JSON.stringify(cache.filter((k) => k.includes("@nats-io"))));`,
    );
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([]);
    // Nor does any file of the main entries' bundles hold them: batonjs/nats and its modules
    // (foreign.ts among them) are in nats.cjs and esm/nats.js only.
    for (const f of ["index.cjs", "baton.cjs", "testing.cjs", "esm/index.js", "esm/baton.js", "esm/testing.js"]) {
      const code = readFileSync(path.join(root, "dist", f), "utf8");
      expect(code, f).not.toMatch(/@nats-io|NatsChan|ForeignChan|outsideSelect|nats\.c?js/);
    }
  });

  it("importing it without the NATS client installed says what to install", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "baton-noclient-"));
    try {
      cpSync(path.join(root, "dist"), path.join(dir, "dist"), { recursive: true });
      writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
      const r = node(dir, `await import("./dist/esm/nats.js");`);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("batonjs/nats needs the NATS client");
      expect(r.stderr).toContain("npm install @nats-io/transport-node @nats-io/jetstream");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
