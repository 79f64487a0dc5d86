// Runs a script of test/fixtures/ in a child Node process, against the built package (dist/: run
// `npm run build` first), and returns its exit code and output.

import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Path of a fixture script of test/fixtures/<dir>/ (test/fixtures/diag/ by default). */
export function fixture(name: string, dir = "diag"): string {
  return fileURLToPath(new URL(`../fixtures/${dir}/${name}`, import.meta.url));
}

/** True when the package has been built. */
export function built(): boolean {
  return existsSync(`${root}dist/index.js`);
}

export interface Run {
  /** Exit code (null if killed). */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
}

export interface RunOptions {
  /** The folder of test/fixtures/ the script is in (default "diag"). */
  dir?: string;
  /** Arguments after the script's path. */
  args?: string[];
}

function requireBuild(): void {
  if (!built()) throw new Error("dist/index.js is missing: run `npm run build` before these tests");
}

/** Runs fixture `name` with node and waits for it (at most 20 s: a hang fails the test). */
export function runFixture(name: string, options: RunOptions = {}): Run {
  requireBuild();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [fixture(name, options.dir), ...(options.args ?? [])], {
    encoding: "utf8",
    timeout: 20_000,
    maxBuffer: 64 << 20,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/**
 * Runs fixture `name` with its stdout and stderr on pipes that this process reads only after
 * `delayMs`, as a busy CI log collector may: the child fills the pipes (64 KiB on Linux) and
 * finds them full. What the child writes asynchronously and has not flushed when it exits is
 * lost; what it writes synchronously waits for the reader. A hang (20 s) fails the test.
 */
export function runFixtureSlowReader(name: string, delayMs = 500, options: RunOptions = {}): Promise<Run> {
  requireBuild();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture(name, options.dir), ...(options.args ?? [])], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    // Listening makes the streams flow; pausing them at once leaves the data in the pipes.
    child.stdout.pause();
    child.stderr.pause();
    const resume = setTimeout(() => {
      child.stdout.resume();
      child.stderr.resume();
    }, delayMs);
    const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(resume);
      clearTimeout(kill);
      resolve({
        status,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ms: performance.now() - t0,
      });
    });
  });
}
