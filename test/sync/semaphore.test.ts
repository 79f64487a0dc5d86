// Semaphore (x/sync/semaphore.Weighted): the API.md sync row, ports of golang.org/x/sync's
// semaphore/semaphore_test.go (TestWeighted, TestWeightedPanic, TestWeightedTryAcquire,
// TestWeightedAcquire, TestWeightedDoesntBlockIfTooBig, TestLargeAcquireDoesntStarve,
// TestAllocCancelDoesntStarve) with contexts cancelled explicitly instead of timeouts, FIFO order
// with a large waiter at the head, and bad weights.

import { describe, expect, it } from "vitest";
import { Semaphore, WaitGroup, Group } from "../../src/sync/index.js";
import { go, gosched, PanicError } from "../../src/index.js";
import { background, withCancel, Canceled } from "../../src/context.js";
import type { Context } from "../../src/context.js";
import { parkedWaits } from "../../src/core.js";
import { coreBytesInUse } from "../../src/debug.js";
import { Rng } from "../helpers/util.js";
import { reasons, useGoroutineHygiene } from "../helpers/goroutines.js";
import { yields } from "../helpers/wait.js";

useGoroutineHygiene({ checkGoroutines: false });

/** Settles to true (acquired) or the rejection; "pending" if it has not settled by now. */
function track(p: Promise<void>): { state: () => "pending" | "ok" | unknown } {
  let s: "pending" | "ok" | unknown = "pending";
  p.then(
    () => (s = "ok"),
    (e: unknown) => (s = e),
  );
  return { state: () => s };
}

describe("Semaphore (API.md: x/sync/semaphore.Weighted)", () => {
  it("TestWeighted: 8 goroutines hammer a semaphore of 8 with weights 0..7; never over-held", async () => {
    const n = 8;
    const loops = Math.floor(10000 / n);
    const sem = new Semaphore(n);
    const rng = new Rng(1);
    let held = 0;
    const over: number[] = [];
    const wg = new WaitGroup();
    for (let i = 0; i < n; i++) {
      wg.go(async () => {
        for (let j = 0; j < loops; j++) {
          await sem.acquire(i);
          held += i;
          if (held > n) over.push(held);
          if (rng.chance(0.5)) await Promise.resolve();
          if (rng.chance(0.1)) await gosched();
          held -= i;
          sem.release(i);
        }
      });
    }
    await wg.wait();
    expect(over).toEqual([]);
    expect(sem.tryAcquire(n)).toBe(true);
    sem.release(n);
  });

  it("TestWeightedPanic: releasing what is not held throws PanicError('semaphore: released more than held')", async () => {
    const w = new Semaphore(1);
    let err: unknown;
    try {
      w.release(1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PanicError);
    expect((err as Error).message).toBe("semaphore: released more than held");
    // Nothing changed.
    expect(w.tryAcquire(1)).toBe(true);
    expect(() => w.release(2)).toThrow("semaphore: released more than held");
    w.release(1);
  });

  it("TestWeightedTryAcquire", async () => {
    const sem = new Semaphore(2);
    const tries: boolean[] = [];
    await sem.acquire(1);
    tries.push(sem.tryAcquire(1));
    tries.push(sem.tryAcquire(1));
    sem.release(2);
    tries.push(sem.tryAcquire(1));
    await sem.acquire(1);
    tries.push(sem.tryAcquire(1));
    expect(tries).toEqual([true, false, true, false]);
  });

  it("TestWeightedAcquire: acquire with a context that ends first rejects with ctx.err() and holds nothing", async () => {
    const sem = new Semaphore(2);
    const tryAcquire = async (n: number): Promise<boolean> => {
      const [ctx, cancel] = withCancel(background());
      const t = track(sem.acquire(n, ctx));
      await yields(3);
      cancel(); // Go's 10 ms timeout, without the clock
      await yields(1);
      const s = t.state();
      if (s !== "ok") expect(s).toBe(Canceled);
      return s === "ok";
    };
    const tries: boolean[] = [];
    await sem.acquire(1);
    tries.push(await tryAcquire(1));
    tries.push(await tryAcquire(1));
    sem.release(2);
    tries.push(await tryAcquire(1));
    await sem.acquire(1);
    tries.push(await tryAcquire(1));
    expect(tries).toEqual([true, false, true, false]);
    sem.release(2);
    expect(sem.tryAcquire(2)).toBe(true); // the cancelled acquires hold nothing
    expect(parkedWaits()).toBe(0);
  });

  it("TestWeightedDoesntBlockIfTooBig: a request above the size does not block smaller ones", async () => {
    const n = 2;
    const sem = new Semaphore(n);
    const [bigCtx, cancelBig] = withCancel(background());
    const big = track(sem.acquire(n + 1, bigCtx));
    const [g, ctx] = Group.withContext(background());
    for (let i = n * 3; i > 0; i--) {
      g.go(async () => {
        await sem.acquire(1, ctx);
        await gosched();
        sem.release(1);
      });
    }
    await g.wait();
    expect(big.state()).toBe("pending");
    cancelBig();
    await yields(1);
    expect(big.state()).toBe(Canceled);
  });

  it("TestLargeAcquireDoesntStarve: a waiting acquire(n) is served while n goroutines churn acquire(1)/release(1)", async () => {
    const n = 8;
    const sem = new Semaphore(n);
    let running = true;
    const wg = new WaitGroup();
    wg.add(n);
    for (let i = n; i > 0; i--) {
      await sem.acquire(1);
      go(async () => {
        try {
          while (running) {
            await gosched();
            sem.release(1);
            await sem.acquire(1);
          }
        } finally {
          sem.release(1);
          wg.done();
        }
      });
    }
    await sem.acquire(n); // would hang if the large request starved
    running = false;
    sem.release(n);
    await wg.wait();
  });

  it("TestAllocCancelDoesntStarve: when a large waiter at the head gives up, the small ones behind it get in", async () => {
    const sem = new Semaphore(10);
    await sem.acquire(1);
    const [ctx, cancel] = withCancel(background());
    const big = track(sem.acquire(10, ctx));
    await yields(2);
    const small = track(sem.acquire(1));
    await yields();
    expect(small.state()).toBe("pending"); // queued behind the large request
    cancel();
    await yields(1);
    expect(big.state()).toBe(Canceled);
    expect(small.state()).toBe("ok");
    sem.release(2);
  });

  it("serves waiters in order; a large waiter at the head blocks smaller ones behind it", async () => {
    const sem = new Semaphore(10);
    await sem.acquire(5);
    const order: string[] = [];
    const a = sem.acquire(8).then(() => order.push("8"));
    const b = sem.acquire(1).then(() => order.push("1"));
    const c = sem.acquire(2).then(() => order.push("2"));
    await yields();
    expect(order).toEqual([]); // 5 are free, but the 8 at the head does not fit and holds the rest
    expect(sem.tryAcquire(1)).toBe(false); // nor can anyone jump the queue
    sem.release(4); // 9 free: the 8 fits, then the 1; the 2 waits
    await a;
    await b;
    await yields();
    expect(order).toEqual(["8", "1"]);
    sem.release(8);
    await c;
    expect(order).toEqual(["8", "1", "2"]);
    sem.release(1 + 2 + 1);
    expect(sem.tryAcquire(10)).toBe(true);
  });

  it("stress: random weights (seeded), FIFO grants and a checksum of units", async () => {
    const rng = new Rng(99);
    const size = 16;
    const sem = new Semaphore(size);
    let held = 0;
    let total = 0;
    const bad: string[] = [];
    const wg = new WaitGroup();
    for (let g = 0; g < 10; g++) {
      wg.go(async () => {
        for (let i = 0; i < 300; i++) {
          const k = rng.range(0, size);
          if (!sem.tryAcquire(k)) await sem.acquire(k);
          held += k;
          total += k;
          if (held > size) bad.push(`held ${held}`);
          if (rng.chance(0.5)) await Promise.resolve();
          held -= k;
          sem.release(k);
        }
      });
    }
    await wg.wait();
    expect(bad).toEqual([]);
    expect(held).toBe(0);
    expect(total).toBeGreaterThan(0);
    expect(sem.tryAcquire(size)).toBe(true);
  });

  it("a context that has already ended rejects at once, even if the units are free", async () => {
    const sem = new Semaphore(3);
    const [ctx, cancel] = withCancel(background());
    cancel();
    await expect(sem.acquire(1, ctx)).rejects.toBe(Canceled);
    await expect(sem.acquire(5, ctx)).rejects.toBe(Canceled);
    expect(sem.tryAcquire(3)).toBe(true);
  });

  it("without a context, a request above the size waits forever (as Go), without blocking others", async () => {
    const sem = new Semaphore(2);
    const forever = track(sem.acquire(3));
    await yields();
    expect(forever.state()).toBe("pending");
    await sem.acquire(2);
    sem.release(2);
    await yields();
    expect(forever.state()).toBe("pending");
  });

  it("with a context, a request above the size rejects once the context ends", async () => {
    const sem = new Semaphore(2);
    const [ctx, cancel] = withCancel(background());
    const t = track(sem.acquire(3, ctx));
    await yields();
    expect(t.state()).toBe("pending");
    cancel();
    await yields(1);
    expect(t.state()).toBe(Canceled);
  });

  it("a context that ends after the grant changes nothing; the next waiter is not disturbed", async () => {
    const sem = new Semaphore(1);
    await sem.acquire(1);
    const [ctx1, cancel1] = withCancel(background());
    const t1 = track(sem.acquire(1, ctx1));
    sem.release(1); // granted to t1, synchronously
    const [ctx2, cancel2] = withCancel(background());
    const t2 = track(sem.acquire(1, ctx2)); // may reuse t1's slot token
    cancel1(); // must not remove t2
    await yields(1);
    expect(t1.state()).toBe("ok");
    expect(t2.state()).toBe("pending");
    sem.release(1);
    await yields(1);
    expect(t2.state()).toBe("ok");
    sem.release(1);
    cancel2();
  });

  it("a context whose afterDone fires at once (it ended meanwhile) leaves no waiter behind", async () => {
    const sem = new Semaphore(1);
    await sem.acquire(1);
    let ended = false;
    const fake = {
      err: () => (ended ? Canceled : undefined),
      afterDone(fn: () => void) {
        ended = true; // the deadline passed between err() and afterDone()
        fn();
        return () => {};
      },
    } as unknown as Context;
    const before = parkedWaits();
    await expect(sem.acquire(1, fake)).rejects.toBe(Canceled);
    expect(parkedWaits()).toBe(before);
    sem.release(1);
    expect(sem.tryAcquire(1)).toBe(true);
  });

  it("weight 0 is granted at once when nobody waits, and queues behind waiters", async () => {
    const sem = new Semaphore(1);
    await sem.acquire(0);
    expect(sem.tryAcquire(0)).toBe(true);
    await sem.acquire(1);
    const big = track(sem.acquire(1));
    const zero = track(sem.acquire(0));
    await yields();
    expect(zero.state()).toBe("pending");
    sem.release(1);
    await yields(1);
    expect(big.state()).toBe("ok");
    expect(zero.state()).toBe("ok");
  });

  it("weights beyond 2^31 - 1 work", async () => {
    const size = 2 ** 40;
    const sem = new Semaphore(size);
    await sem.acquire(1);
    const t = track(sem.acquire(size - 1 + 0)); // fits exactly
    await yields(1);
    expect(t.state()).toBe("ok");
    const w = track(sem.acquire(2 ** 35));
    await yields();
    expect(w.state()).toBe("pending");
    sem.release(size);
    await yields(1);
    expect(w.state()).toBe("ok");
  });

  it("bad weights throw TypeError or RangeError at the call", () => {
    const sem = new Semaphore(4);
    expect(() => sem.acquire(-1)).toThrow(RangeError);
    expect(() => sem.acquire(1.5)).toThrow(RangeError);
    expect(() => sem.acquire(Number.NaN)).toThrow(RangeError);
    expect(() => sem.acquire("1" as unknown as number)).toThrow(TypeError);
    expect(() => sem.tryAcquire(-2)).toThrow(RangeError);
    expect(() => sem.release(0.5)).toThrow(RangeError);
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
    expect(() => new Semaphore("3" as unknown as number)).toThrow(TypeError);
    expect(sem.tryAcquire(4)).toBe(true); // none of that changed anything
  });

  it("a waiter shows the wait reason Go shows for x/sync's semaphore, select", async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const p = sem.acquire();
    expect(reasons()).toContain("select");
    sem.release();
    await p;
  });

  it("uncontended acquire/release touches no core memory and returns the shared resolved promise", async () => {
    const sem = new Semaphore(3);
    const bytes = coreBytesInUse();
    const a = sem.acquire(1);
    const b = sem.acquire(2);
    expect(a).toBe(b);
    sem.release(3);
    for (let i = 0; i < 100; i++) {
      await sem.acquire(2);
      sem.release(2);
    }
    expect(coreBytesInUse()).toBe(bytes);
  });
});
