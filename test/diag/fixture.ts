// Runs a script of test/fixtures/diag/ in a child Node process, against the built package
// (dist/: run `npm run build` first), and returns its exit code and output.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Path of a fixture script. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/diag/${name}`, import.meta.url));
}

/** True when the package has been built. */
export function built(): boolean {
  return existsSync(`${root}dist/index.js`);
}

/** True when the built package has a module at dist/<name>.js. */
export function builtModule(name: string): boolean {
  return existsSync(`${root}dist/${name}.js`);
}

export interface Run {
  /** Exit code (null if killed). */
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs fixture `name` with node and waits for it (at most 20 s: a hang fails the test). */
export function runFixture(name: string): Run {
  if (!built()) throw new Error("dist/index.js is missing: run `npm run build` before these tests");
  const r = spawnSync(process.execPath, [fixture(name)], {
    encoding: "utf8",
    timeout: 20_000,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
