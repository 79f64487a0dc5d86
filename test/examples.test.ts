// The runnable examples of examples/: each is run as a child Node process against the built
// package (`npm run build` first: "batonjs" self-resolves to dist/), and its behaviour is checked
// from what it prints, not only from its exit code. Where concurrency makes the order of events
// vary, the examples sort what they print, or these tests compare sets.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { findNatsServer } from "./helpers/nats-server.mjs";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs examples/<name> with node from the repository root (at most 20 s: a hang fails). */
function runExample(name: string): Run {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(`../examples/${name}`, import.meta.url))], {
    cwd: root,
    encoding: "utf8",
    timeout: 20_000,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split("\n").map((l) => l.trim()) };
}

/** Runs an example and expects it to exit 0 on its own, with nothing on stderr. */
function runOk(name: string): Run {
  const r = runExample(name);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r;
}

/** The numbers of a line "prefix 1 2 3". */
function numbersAfter(lines: string[], prefix: string): number[] {
  const line = lines.find((l) => l.startsWith(prefix));
  expect(line, `a line starting with "${prefix}"`).toBeDefined();
  return line!.slice(prefix.length).trim().split(/\s+/).map(Number);
}

describe("examples", () => {
  beforeAll(() => {
    if (!existsSync(`${root}dist/index.js`) || !existsSync(`${root}dist/testing.js`)) {
      throw new Error("dist/ is missing: run `npm run build` before these tests");
    }
  });

  it("quickstart.mjs: two results, then the timeout; and the README shows it as it is", () => {
    const r = runOk("quickstart.mjs");
    expect(r.lines.filter((l) => l !== "")).toEqual(["got 1", "got 4", "timed out"]);
    const code = readFileSync(`${root}examples/quickstart.mjs`, "utf8");
    const body = code.slice(code.indexOf("import "));
    expect(readFileSync(`${root}README.md`, "utf8")).toContain(body);
  });

  it("demo.mjs: ping-pong, select with default and the prime sieve", () => {
    const r = runOk("demo.mjs");
    expect(r.lines).toContain("the ball came back 3 times");
    expect(r.lines).toContain("2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97");
    expect(r.lines.at(-2)).toBe("done");
  });

  it("fanout-http.mjs: every request's response or error comes back over the channel", () => {
    const r = runOk("fanout-http.mjs");
    const results = new Map<string, string>();
    for (const l of r.lines) {
      const m = /^([✓✗]) (\S+) → (.*)$/.exec(l);
      if (m) results.set(m[2]!, `${m[1]} ${m[3]}`);
    }
    expect(Object.fromEntries(results)).toEqual({
      "server/users": '✓ {"users":["ada","grace","linus"]}',
      "server/orders": '✓ {"orders":3}',
      "server/broken": '✗ error: HTTP 500 {"error":"database on fire"}',
      "server/inventory": '✓ {"widgets":42,"gadgets":7}',
      "server/slow": "✗ error: context deadline exceeded",
      "nothing-listening/users": "✗ error: fetch failed (ECONNREFUSED)",
    });
    // Printed in request order, whatever order the answers arrived in.
    expect([...results.keys()]).toEqual([
      "server/users", "server/orders", "server/broken", "server/inventory", "server/slow", "nothing-listening/users",
    ]);
    expect(r.lines).toContain("6 answers: 3 ok, 3 errors");
    expect(r.lines).toContain("server closed");
  });

  it("counters.mjs: every number of the three senders arrives exactly once, then both select cases fire", () => {
    const r = runOk("counters.mjs");
    const a = numbersAfter(r.lines, "from a:");
    const b = numbersAfter(r.lines, "from b:");
    const c = numbersAfter(r.lines, "from c:");
    // Each sender's numbers, in the order it sent them.
    expect(a).toEqual([101, 102, 103, 104, 105]);
    expect(b).toEqual([201, 202, 203, 204, 205]);
    expect(c).toEqual([301, 302, 303, 304, 305]);
    expect(r.lines).toContain("received 15 numbers, channel closed");
    const fired = r.lines.filter((l) => l.includes("case fired:"));
    expect(fired.sort()).toEqual(["int case fired: 42", 'string case fired: "hello"']);
    expect(r.lines).toContain("both channels closed and set to null: loop over");
  });

  it("pipeline.mjs: the squares come out in order, and the stages close one after another", () => {
    const r = runOk("pipeline.mjs");
    const printed = r.lines.filter((l) => /^print: \d+$/.test(l)).map((l) => Number(l.slice("print: ".length)));
    expect(printed).toEqual([1, 4, 9, 16, 25, 36]);
    expect(numbersAfter(r.lines, "squares in order:")).toEqual([1, 4, 9, 16, 25, 36]);
    const at = (line: string) => {
      const i = r.lines.indexOf(line);
      expect(i, line).toBeGreaterThanOrEqual(0);
      return i;
    };
    const generateClosed = at("generate: sent 1..6, closed its output");
    const squareClosed = at("square: input closed, closed its output");
    const printDone = at("print: input closed after 6 squares");
    expect(generateClosed).toBeLessThan(squareClosed);
    expect(squareClosed).toBeLessThan(printDone);
  });

  it("bounded-parallel.mjs: never more than the limit at once, and every result collected", () => {
    const r = runOk("bounded-parallel.mjs");
    const limits = r.lines.filter((l) => l.startsWith("max concurrency:")).map((l) => {
      const m = /^max concurrency: (\d+) \(limit (\d+)\)$/.exec(l);
      expect(m, l).not.toBeNull();
      return [Number(m![1]), Number(m![2])];
    });
    expect(limits.map(([, limit]) => limit)).toEqual([3, 2]);
    for (const [max, limit] of limits) {
      expect(max).toBeGreaterThanOrEqual(1);
      expect(max).toBeLessThanOrEqual(limit!);
    }
    const results = r.lines.filter((l) => l.startsWith("results:")).map((l) => l.slice("results:".length).trim().split(" ").map(Number));
    expect(results).toEqual([
      Array.from({ length: 10 }, (_, i) => i * i),
      Array.from({ length: 8 }, (_, i) => i * i),
    ]);
  });

  it("cancellation.mjs: deadline, after() timeout, and the leaked goroutine the leak check found", () => {
    const r = runOk("cancellation.mjs");
    // withTimeout: the select on ctx.done() fired, with Go's error.
    expect(r.lines).toContain('deadline reached: ctx.err() is "context deadline exceeded"');
    expect(r.lines).toContain("ctx.err() === DeadlineExceeded: true");
    expect(r.lines).toContain("ctx.signal.aborted: true, reason: context deadline exceeded");
    expect(r.lines).toContain("the request itself returned: context deadline exceeded");
    // select with after(): the timeout case fired; the late reply still arrived.
    expect(r.lines).toContain("timed out after 40 ms: the after() case fired");
    expect(r.lines).toContain("the late reply still arrives, into a buffered channel: pong");
    // The leak check: one goroutine, its state, created in cancellation.mjs; then released.
    expect(r.lines).toContain("LeakError: 1 leaked goroutine(s)");
    const leaked = r.lines.filter((l) => l.startsWith("goroutine ["));
    expect(leaked).toHaveLength(1);
    expect(leaked[0]).toMatch(/^goroutine \[chan receive\], created at .*cancellation\.mjs:\d+:\d+\)?$/);
    expect(r.lines).toContain("after close(): the leak check passes");
  });

  // Needs nats-server (CI installs it); without it the example says how to install it and exits 0,
  // which all.mjs below checks either way.
  it.skipIf(findNatsServer() === null)("distributed-fanout.mjs: the fan-out over two worker processes and NATS channels", () => {
    const r = runOk("distributed-fanout.mjs");
    expect(r.lines).toContain("✓ server/users → {\"users\":[\"ada\",\"grace\",\"linus\"]}");
    expect(r.lines).toContain("✗ server/broken → error: HTTP 500 {\"error\":\"database on fire\"}");
    expect(r.lines).toContain("✗ server/slow → error: context deadline exceeded");
    expect(r.lines).toContain("6 answers: 3 ok, 3 errors");
    const by = r.lines.find((l) => l.startsWith("worker 1 answered"));
    expect(by).toMatch(/^worker 1 answered (\d), worker 2 answered (\d)$/);
    const [, a, b] = by!.match(/(\d), worker 2 answered (\d)/)!;
    expect(Number(a) + Number(b)).toBe(6);
    expect(r.lines).toContain("workers exited (0, 0)");
    expect(r.lines).toContain("servers closed");
  });

  it("all.mjs: runs the quick start, the demo and every example, each under its header, and exits 0", () => {
    const r = runOk("all.mjs");
    const headers = r.lines.filter((l) => l.startsWith("━━━ examples/")).map((l) => l.split(" ")[1]);
    expect(headers).toEqual([
      "examples/quickstart.mjs",
      "examples/demo.mjs",
      "examples/fanout-http.mjs",
      "examples/counters.mjs",
      "examples/pipeline.mjs",
      "examples/bounded-parallel.mjs",
      "examples/cancellation.mjs",
      "examples/distributed-fanout.mjs",
    ]);
    expect(r.stdout).not.toMatch(/^✗ examples\/\S+ failed/m);
    expect(r.lines.at(-2)).toBe("all 8 ran");
  });
});
