// sync.Once: the API.md sync row and its Errors paragraph ("a Once whose function throws has
// still run: the first caller gets the error, and the function never runs again"), and ports of
// Go's src/sync/once_test.go (TestOnce, TestOncePanic).

import { describe, expect, it } from "vitest";
import { Once } from "../../src/sync/index.js";
import { chan, go } from "../../src/index.js";
import { forEachWait } from "../../src/core.js";
import { useGoroutineHygiene } from "../helpers/goroutines.js";
import { yields } from "../helpers/wait.js";

useGoroutineHygiene();

describe("Once (API.md: sync.Once)", () => {
  it("TestOnce: ten goroutines call do(); fn runs once, and each sees its effect after do()", async () => {
    let o = 0;
    const once = new Once();
    const c = chan<boolean>();
    const failures: string[] = [];
    for (let i = 0; i < 10; i++) {
      go(async () => {
        await once.do(() => {
          o++;
        });
        if (o !== 1) failures.push(`once failed inside run: ${o} is not 1`);
        await c.send(true);
      });
    }
    for (let i = 0; i < 10; i++) await c.recv();
    expect(failures).toEqual([]);
    expect(o).toBe(1);
  });

  it("TestOncePanic: the first call throws, the second does not run fn and resolves", async () => {
    const once = new Once();
    for (let i = 0; i < 2; i++) {
      let err: unknown;
      try {
        await once.do(() => {
          throw new Error("failed");
        });
      } catch (e) {
        err = e;
      }
      if (i === 0) expect((err as Error)?.message, "do() did not throw on the first call").toBe("failed");
      else expect(err, "do() threw on the second call").toBeUndefined();
    }
    await once.do(() => {});
    let calledTwice = false;
    await once.do(() => {
      calledTwice = true;
    });
    expect(calledTwice).toBe(false);
  });

  it("async fn: concurrent callers wait until it has finished", async () => {
    const once = new Once();
    let value = 0;
    const release = chan<void>();
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      go(async () => {
        await once.do(async () => {
          await release.recv();
          value = 42;
        });
        seen.push(value);
      });
    }
    await yields();
    expect(seen).toEqual([]);
    // The other four wait on Once's internal mutex.
    let waiting = 0;
    forEachWait((_t, _g, _s, aux) => {
      if (aux === "sync.Mutex.Lock") waiting++;
    });
    expect(waiting).toBeGreaterThanOrEqual(4);
    await release.send();
    await yields();
    expect(seen).toEqual([42, 42, 42, 42, 42]);
  });

  it("a throwing async fn: its caller gets the error, concurrent waiters resolve, fn never runs again", async () => {
    const once = new Once();
    let runs = 0;
    const boom = new Error("boom");
    const release = chan<void>();
    const first = once.do(async () => {
      runs++;
      await release.recv();
      throw boom;
    });
    const others = [once.do(() => void runs++), once.do(async () => void runs++), once.do(() => void runs++)];
    await release.send();
    await expect(first).rejects.toBe(boom);
    await expect(Promise.all(others)).resolves.toEqual([undefined, undefined, undefined]);
    await once.do(() => void runs++);
    expect(runs).toBe(1);
  });

  it("a sync fn runs inside the first do() call, and later calls resolve without calling fn", async () => {
    const once = new Once();
    const log: string[] = [];
    const p = once.do(() => log.push("fn"));
    expect(log).toEqual(["fn"]);
    await p;
    await once.do(() => log.push("again"));
    expect(log).toEqual(["fn"]);
  });

  it("a non-function is refused at the call", () => {
    expect(() => new Once().do(1 as unknown as () => void)).toThrow(TypeError);
  });
});
