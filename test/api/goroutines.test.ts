// The Goroutines section of API.md: go, gosched, numGoroutine, setPanicHandler.
// (goroutines() and deadlock detection are tested elsewhere, once they exist.)

import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chan, go, gosched, numGoroutine, setPanicHandler, PanicError } from "../../src/index.js";
import type { GoroutineInfo } from "../../src/index.js";
import { eventually, sleep } from "../helpers/wait.js";

afterEach(() => {
  setPanicHandler(null);
});

describe("go(fn, ...args)", () => {
  it("does not run fn inside the go call but after the caller's current synchronous code", async () => {
    const log: string[] = [];
    go(() => {
      log.push("goroutine");
    });
    log.push("after go");
    for (let i = 0; i < 1000; i++) Math.sqrt(i); // more synchronous code
    log.push("end of sync code");
    expect(log).toEqual(["after go", "end of sync code"]);
    expect(await eventually(() => log.length === 3)).toBe(true);
    expect(log).toEqual(["after go", "end of sync code", "goroutine"]);
  });

  it("does not run fn inside the go call even when called from a goroutine", async () => {
    const log: string[] = [];
    const done = chan<void>();
    go(() => {
      go(() => {
        log.push("inner");
        done.close();
      });
      log.push("outer after go");
    });
    await done.recv();
    expect(log).toEqual(["outer after go", "inner"]);
  });

  it("passes its extra arguments, as given", async () => {
    const obj = { x: 1 };
    const out = chan<unknown[]>(1);
    go(
      async (a: number, b: string, c: { x: number }, d: undefined, e: null) => {
        await out.send([a, b, c, d, e]);
      },
      1,
      "two",
      obj,
      undefined,
      null,
    );
    const got = (await out.recv())!;
    expect(got).toEqual([1, "two", obj, undefined, null]);
    expect(got[2]).toBe(obj);
    expect(got.length).toBe(5);
  });

  it("passes exactly as many arguments as given, from none to many (arguments.length, rest parameters, defaults)", async () => {
    const out = chan<[number, unknown[], string]>(8);
    function counted(this: unknown, ...rest: unknown[]): void {
      // eslint-disable-next-line prefer-rest-params
      out.trySend([arguments.length, rest, typeof this]);
    }
    const given: unknown[][] = [[], [undefined], [1, undefined], ["a", "b", "c"], [1, 2, 3, 4], [1, 2, 3, 4, 5, 6, 7]];
    for (const args of given) go(counted, ...args);
    const seen = [];
    for (let i = 0; i < given.length; i++) seen.push((await out.recv())!);
    expect(seen).toEqual(given.map((a) => [a.length, a, "undefined"]));
    const withDefault = chan<number>(1);
    const defaulted = (x = 42): void => void withDefault.trySend(x);
    go(defaulted);
    expect(await withDefault.recv()).toBe(42);
  });

  it("runs sync and async functions alike", async () => {
    const out = chan<string>(2);
    go(() => {
      out.trySend("sync");
    });
    go(async () => {
      await gosched();
      await out.send("async");
    });
    const got = [await out.recv(), await out.recv()];
    expect(got.sort()).toEqual(["async", "sync"]);
  });

  it("returns nothing", () => {
    const r = go(() => 42);
    expect(r).toBeUndefined();
  });

  it("a goroutine blocked on a channel does not block its creator", async () => {
    const c = chan<number>();
    let after = false;
    go(async () => {
      await c.recv();
      after = true;
    });
    await sleep(5);
    expect(after).toBe(false);
    await c.send(1);
    expect(await eventually(() => after)).toBe(true);
  });
});

describe("numGoroutine()", () => {
  it("counts goroutines from the go call until they finish", async () => {
    const base = numGoroutine();
    const gate = chan<void>();
    const finished = chan<number>(3);
    for (let i = 0; i < 3; i++) {
      go(async () => {
        await gate.recv();
        await finished.send(i);
      });
    }
    expect(numGoroutine()).toBe(base + 3); // counted from the go call, before they start
    await sleep(5);
    expect(numGoroutine()).toBe(base + 3); // blocked, not finished
    gate.close();
    for (let i = 0; i < 3; i++) await finished.recv();
    expect(await eventually(() => numGoroutine() === base)).toBe(true);
  });

  it("counts a sync goroutine until it has run", async () => {
    const base = numGoroutine();
    let ran = false;
    go(() => {
      ran = true;
    });
    expect(numGoroutine()).toBe(base + 1);
    expect(await eventually(() => ran && numGoroutine() === base)).toBe(true);
  });

  it("counts goroutines that panicked as finished", async () => {
    const seen: unknown[] = [];
    setPanicHandler((e) => {
      seen.push(e);
    });
    const base = numGoroutine();
    go(() => {
      throw new Error("sync boom");
    });
    go(async () => {
      await gosched();
      throw new Error("async boom");
    });
    expect(numGoroutine()).toBe(base + 2);
    expect(await eventually(() => seen.length === 2 && numGoroutine() === base)).toBe(true);
  });

  it("includes the calling goroutine", async () => {
    const out = chan<number>(1);
    const base = numGoroutine();
    go(() => out.trySend(numGoroutine()));
    expect(await out.recv()).toBe(base + 1);
  });
});

describe("gosched()", () => {
  it("lets every other runnable goroutine run before the caller continues", async () => {
    const log: string[] = [];
    const done = chan<void>();
    go(async () => {
      for (const name of ["a", "b", "c"]) {
        go(() => {
          log.push(name);
        });
      }
      await gosched();
      log.push("main");
      done.close();
    });
    await done.recv();
    expect(log).toEqual(["a", "b", "c", "main"]);
  });

  it("two goroutines that gosched between steps alternate", async () => {
    const log: string[] = [];
    const done = chan<void>(2);
    for (const name of ["x", "y"]) {
      go(async () => {
        for (let i = 0; i < 4; i++) {
          log.push(`${name}${i}`);
          await gosched();
        }
        await done.send();
      });
    }
    await done.recv();
    await done.recv();
    expect(log).toEqual(["x0", "y0", "x1", "y1", "x2", "y2", "x3", "y3"]);
  });

  it("lets a goroutine made runnable by a channel operation run first", async () => {
    const log: string[] = [];
    const c = chan<number>(1);
    const done = chan<void>();
    go(async () => {
      const v = await c.recv();
      log.push(`received ${v}`);
    });
    go(async () => {
      await gosched(); // let the receiver park
      c.trySend(1); // makes it runnable
      await gosched();
      log.push("sender continues");
      done.close();
    });
    await done.recv();
    expect(log).toEqual(["received 1", "sender continues"]);
  });

  it("returns a promise that resolves (also outside any goroutine)", async () => {
    const p = gosched();
    expect(p).toBeInstanceOf(Promise);
    await expect(p).resolves.toBeUndefined();
  });
});

describe("setPanicHandler(fn)", () => {
  it("receives a synchronous throw with the goroutine's info (numeric id)", async () => {
    const calls: [unknown, GoroutineInfo][] = [];
    setPanicHandler((e, info) => {
      calls.push([e, info]);
    });
    const err = new Error("sync panic");
    go(() => {
      throw err;
    });
    expect(await eventually(() => calls.length === 1)).toBe(true);
    expect(calls[0][0]).toBe(err);
    expect(typeof calls[0][1].id).toBe("number");
    expect(Number.isInteger(calls[0][1].id)).toBe(true);
  });

  it("receives an async rejection, also after the goroutine has waited", async () => {
    const calls: [unknown, GoroutineInfo][] = [];
    setPanicHandler((e, info) => {
      calls.push([e, info]);
    });
    const c = chan<number>();
    go(async () => {
      await c.recv();
      throw new RangeError("async panic");
    });
    await sleep(2);
    expect(calls).toEqual([]);
    await c.send(1);
    expect(await eventually(() => calls.length === 1)).toBe(true);
    expect(calls[0][0]).toBeInstanceOf(RangeError);
    expect((calls[0][0] as Error).message).toBe("async panic");
    expect(typeof calls[0][1].id).toBe("number");
  });

  it("receives non-Error throws as they are", async () => {
    const seen: unknown[] = [];
    setPanicHandler((e) => {
      seen.push(e);
    });
    go(() => {
      throw "a string";
    });
    go(async () => {
      throw undefined;
    });
    expect(await eventually(() => seen.length === 2)).toBe(true);
    expect(seen).toContain("a string");
    expect(seen).toContain(undefined);
  });

  it("gives different goroutines different ids", async () => {
    const ids: number[] = [];
    setPanicHandler((_e, info) => {
      ids.push(info.id);
    });
    for (let i = 0; i < 5; i++) {
      go(() => {
        throw new Error(`p${i}`);
      });
    }
    expect(await eventually(() => ids.length === 5)).toBe(true);
    expect(new Set(ids).size).toBe(5);
  });

  it("reports a PanicError raised by a channel operation inside a goroutine", async () => {
    const seen: unknown[] = [];
    setPanicHandler((e) => {
      seen.push(e);
    });
    const c = chan<number>();
    c.close();
    go(async () => {
      await c.send(1);
    });
    go(() => c.close());
    expect(await eventually(() => seen.length === 2)).toBe(true);
    const msgs = seen.map((e) => (e instanceof PanicError ? e.message : String(e))).sort();
    expect(msgs).toEqual(["close of closed channel", "send on closed channel"]);
  });

  it("a panic does not stop other goroutines", async () => {
    setPanicHandler(() => {});
    const out = chan<string>(1);
    go(() => {
      throw new Error("boom");
    });
    go(async () => {
      await gosched();
      await out.send("still running");
    });
    expect(await out.recv()).toBe("still running");
  });

  it("the last handler set wins; null removes it", async () => {
    const first: unknown[] = [];
    const second: unknown[] = [];
    setPanicHandler((e) => {
      first.push(e);
    });
    setPanicHandler((e) => {
      second.push(e);
    });
    go(() => {
      throw new Error("x");
    });
    expect(await eventually(() => second.length === 1)).toBe(true);
    expect(first).toEqual([]);
  });

  it("with no handler, a panic is printed with the goroutine's id and creation site and the process exits non-zero", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const dist = join(root, "dist", "index.js");
    expect(existsSync(dist), "run `npm run build` first").toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "baton-panic-"));
    const script = join(dir, "panicker-script.mjs");
    writeFileSync(
      script,
      `import { go } from ${JSON.stringify(dist)};\n` +
        `go(() => { throw new Error("kaboom-7f3a"); });\n` +
        `setTimeout(() => { console.log("STILL ALIVE"); }, 2000);\n`,
    );
    const r = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 10_000 });
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stdout).not.toContain("STILL ALIVE");
    expect(r.stderr).toContain("kaboom-7f3a");
    expect(r.stderr).toMatch(/goroutine\D{0,3}\d+/i);
    expect(r.stderr).toContain("panicker-script.mjs");
  });
});
