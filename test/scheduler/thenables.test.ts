// The scheduler (src/go.ts) against goroutines that misbehave in-process, with a panic handler
// that records: a goroutine that returns a thenable whose `then` throws (or whose `then` getter
// throws) panics, as `await` on it would reject; a thenable that settles twice ends its goroutine
// once; values that are not Errors reach the handler as themselves. After each, later goroutines
// start and finish and numGoroutine() is back to its baseline.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chan, go, goroutines, numGoroutine, setPanicHandler } from "../../src/index.js";
import type { GoroutineInfo } from "../../src/index.js";
import { eventually } from "../helpers/wait.js";
import { goTracked } from "../helpers/goroutines.js";

let panics: { error: unknown; info: GoroutineInfo }[] = [];
let baseline = 0;

beforeEach(() => {
  panics = [];
  baseline = numGoroutine();
  setPanicHandler((error, info) => panics.push({ error, info }));
});
afterEach(() => {
  setPanicHandler(null);
});

/** Starts goroutines of every kind and expects each to start and finish, and the count back. */
async function expectSchedulerHealthy(): Promise<void> {
  let started = 0;
  let finished = 0;
  const ch = chan<number>();
  go(() => {
    started++;
    finished++;
  });
  go(async () => {
    started++;
    await null;
    finished++;
  });
  go(async () => {
    started++;
    const v = (await ch.recv())!; // read before adding: `finished += await` would lose increments
    finished += v;
  });
  go(async () => {
    started++;
    await ch.send(1);
    finished++;
  });
  expect(await eventually(() => finished === 4 && numGoroutine() === baseline, 2000)).toBe(true);
  expect(started).toBe(4);
}


describe("a goroutine that returns a thenable", () => {
  it("whose then throws: a panic of that goroutine; later goroutines start", async () => {
    const boom = new Error("then throws");
    let after = false;
    const id = goTracked(() => ({
      then() {
        throw boom;
      },
    }));
    go(() => {
      after = true; // queued behind it: started by the same loop
    });
    expect(await eventually(() => panics.length === 1 && after)).toBe(true);
    expect(panics[0]!.error).toBe(boom);
    expect(panics[0]!.info.id).toBe(id);
    expect(numGoroutine()).toBe(baseline);
    await expectSchedulerHealthy();
  });

  it("whose then getter throws: a panic of that goroutine", async () => {
    const boom = new Error("getter throws");
    const id = goTracked(() => ({
      get then() {
        throw boom;
      },
    }));
    expect(await eventually(() => panics.length === 1)).toBe(true);
    expect(panics[0]!.error).toBe(boom);
    expect(panics[0]!.info.id).toBe(id);
    await expectSchedulerHealthy();
  });

  it("whose then throws a value that is not an Error: the handler gets the value itself", async () => {
    const sym = Symbol("thrown by then");
    go(() => ({
      then() {
        throw sym;
      },
    }));
    expect(await eventually(() => panics.length === 1)).toBe(true);
    expect(panics[0]!.error).toBe(sym);
    await expectSchedulerHealthy();
  });

  it("that fulfils and then throws: the goroutine ends once, with no panic (as await would)", async () => {
    go(() => ({
      then(resolve: () => void) {
        resolve();
        throw new Error("after resolve");
      },
    }));
    expect(await eventually(() => numGoroutine() === baseline)).toBe(true);
    await expectSchedulerHealthy();
    expect(panics).toEqual([]);
  });

  it("that settles several times: the goroutine ends once, and numGoroutine() stays right", async () => {
    const ch = chan<void>();
    // A parked goroutine, so that a second end of the other one would remove this one instead.
    const parked = goTracked(() => ch.recv());
    const calls: string[] = [];
    go(() => ({
      then(resolve: () => void, reject: (e: unknown) => void) {
        resolve();
        resolve();
        reject(new Error("late"));
        calls.push("settled thrice");
      },
    }));
    go(() => ({
      then(resolve: () => void, reject: (e: unknown) => void) {
        reject(new Error("first"));
        reject(new Error("second"));
        resolve();
        calls.push("rejected twice");
      },
    }));
    expect(await eventually(() => calls.length === 2 && numGoroutine() === baseline + 1)).toBe(true);
    expect(goroutines().map((g) => g.id)).toContain(parked);
    expect(panics.map((p) => (p.error as Error).message)).toEqual(["first"]);
    ch.close();
    expect(await eventually(() => numGoroutine() === baseline)).toBe(true);
    await expectSchedulerHealthy();
  });

  it("that settles later, asynchronously: the goroutine lives until then", async () => {
    let settle: (() => void) | undefined;
    go(() => ({
      then(resolve: () => void) {
        settle = resolve;
      },
    }));
    expect(await eventually(() => settle !== undefined)).toBe(true);
    expect(numGoroutine()).toBe(baseline + 1);
    settle!();
    expect(numGoroutine()).toBe(baseline);
    await expectSchedulerHealthy();
  });
});

describe("a goroutine that throws a value that is not an Error", () => {
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const values: [string, unknown][] = [
    ["a string", "a string"],
    ["undefined", undefined],
    ["null", null],
    ["a Symbol", Symbol("sym")],
    ["an object whose toString throws", { toString: () => { throw new Error("no"); } }],
    ["a frozen object", Object.freeze({ frozen: true })],
    ["a revoked proxy", revoked],
  ];
  for (const [name, value] of values) {
    it(`${name}: the handler gets it as it was thrown, synchronously or by rejection`, async () => {
      const a = goTracked(() => {
        throw value;
      });
      const b = goTracked(async () => {
        await null;
        throw value;
      });
      expect(await eventually(() => panics.length === 2)).toBe(true);
      expect(panics.map((p) => p.info.id).sort((x, y) => x - y)).toEqual([a, b]);
      for (const p of panics) expect(Object.is(p.error, value)).toBe(true);
      expect(numGoroutine()).toBe(baseline);
      await expectSchedulerHealthy();
    });
  }
});
