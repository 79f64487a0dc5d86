// Runs a script of test/fixtures/soak/ in a child Node process against the built package (dist/:
// `npm test` and `npm run test:soak` build it first) and parses the one JSON line it prints.
// Asynchronous, so that a test file can run a few fixtures side by side; `pool` bounds how many.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface ChildRun<R> {
  /** Exit code (null if killed). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The JSON object the fixture printed last on stdout, or undefined if it printed none. */
  result: R | undefined;
  /** Wall time of the child, start to exit (ms). */
  wallMs: number;
}

/** Runs `node [nodeArgs] test/fixtures/soak/<script> [args]`, killing it after `timeoutMs`. */
export function runFixture<R>(script: string, args: string[], opts: { nodeArgs?: string[]; env?: Record<string, string>; timeoutMs: number }): Promise<ChildRun<R>> {
  if (!existsSync(`${root}dist/index.js`)) throw new Error("dist/index.js is missing: run `npm run build` first");
  const path = fileURLToPath(new URL(`../fixtures/soak/${script}`, import.meta.url));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), path, ...args], {
      env: { ...process.env, NODE_OPTIONS: "", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop() ?? "";
      let result: R | undefined;
      try {
        result = line.startsWith("{") ? (JSON.parse(line) as R) : undefined;
      } catch {
        result = undefined;
      }
      resolve({ status, signal, stderr, result, wallMs: performance.now() - t0 });
    });
  });
}

/** Runs the jobs at most `n` at a time; each job's promise settles on its own. */
export function pool<K, R>(keys: readonly K[], n: number, job: (k: K) => Promise<R>): Map<K, Promise<R>> {
  const out = new Map<K, Promise<R>>();
  let free = n;
  const queue: (() => void)[] = [];
  const acquire = (): Promise<void> =>
    free > 0 ? (free--, Promise.resolve()) : new Promise<void>((r) => queue.push(r));
  const release = (): void => {
    const next = queue.shift();
    if (next) next();
    else free++;
  };
  for (const k of keys) {
    const p = acquire().then(() => job(k).finally(release));
    p.catch(() => {}); // reported by the test that awaits it
    out.set(k, p);
  }
  return out;
}
