// sync.Mutex: the API.md sync row, ports of Go's src/sync/mutex_test.go (TestMutex with ten
// goroutines hammering one mutex, TestMutexMisuse's Mutex cases), FIFO hand-off, a checksum
// stress test, and the architecture's promises: an uncontended lock/unlock allocates nothing in
// the core, a waiter parks with Go's wait reason, and a collected mutex frees its core queue.

import { describe, expect, it } from "vitest";
import { Mutex, WaitGroup } from "../../src/sync/index.js";
import { chan, go, gosched, PanicError } from "../../src/index.js";
import { parkedWaits } from "../../src/core.js";
import { coreBytesInUse } from "../../src/debug.js";
import { freeDeadQueues } from "../../src/sync/waitq.js";
import { Rng, gcAndSettle } from "../helpers/util.js";
import { reasons, useGoroutineHygiene } from "../helpers/goroutines.js";
import { yields } from "../helpers/wait.js";

useGoroutineHygiene();

describe("Mutex (API.md: sync.Mutex)", () => {
  it("lock() resolves at once on a free mutex; tryLock() fails while it is held", async () => {
    const mu = new Mutex();
    await mu.lock();
    expect(mu.tryLock()).toBe(false);
    mu.unlock();
    expect(mu.tryLock()).toBe(true);
    expect(mu.tryLock()).toBe(false);
    mu.unlock();
  });

  it("a second lock() waits until unlock()", async () => {
    const mu = new Mutex();
    await mu.lock();
    let got = false;
    void mu.lock().then(() => (got = true));
    await yields();
    expect(got).toBe(false);
    mu.unlock();
    await yields(1);
    expect(got).toBe(true);
    mu.unlock();
  });

  it("TestMutexMisuse (Mutex cases): unlocking an unlocked mutex throws the Go panic, synchronously", async () => {
    const a = new Mutex();
    expect(() => a.unlock()).toThrow(PanicError);
    expect(() => a.unlock()).toThrow("sync: unlock of unlocked mutex");
    const b = new Mutex();
    await b.lock();
    b.unlock();
    let err: unknown;
    try {
      b.unlock();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PanicError);
    expect((err as Error).message).toBe("sync: unlock of unlocked mutex");
    // The failed unlock changed nothing: the mutex still works.
    expect(b.tryLock()).toBe(true);
    b.unlock();
  });

  it("is not tied to a goroutine: one goroutine locks, another unlocks", async () => {
    const mu = new Mutex();
    const locked = chan<void>();
    go(async () => {
      await mu.lock();
      await locked.send();
    });
    await locked.recv();
    expect(mu.tryLock()).toBe(false);
    mu.unlock();
    expect(mu.tryLock()).toBe(true);
    mu.unlock();
  });

  it("TestMutex: ten goroutines × 1000 lock/unlock, with a shared counter", async () => {
    const mu = new Mutex();
    const c = chan<boolean>();
    let counter = 0;
    let inside = 0;
    const hammer = async (loops: number) => {
      for (let i = 0; i < loops; i++) {
        await mu.lock();
        if (++inside !== 1) throw new Error(`${inside} goroutines inside the critical section`);
        const v = counter;
        if (i % 7 === 0) await Promise.resolve(); // let others try the lock meanwhile
        counter = v + 1;
        inside--;
        mu.unlock();
      }
      await c.send(true);
    };
    for (let i = 0; i < 10; i++) go(hammer, 1000);
    for (let i = 0; i < 10; i++) await c.recv();
    expect(counter).toBe(10_000);
    expect(mu.tryLock()).toBe(true);
    mu.unlock();
  });

  it("stress: 8 goroutines × 10^4 lock/increment/unlock, each yielding inside the lock, give the exact count", async () => {
    const mu = new Mutex();
    const wg = new WaitGroup();
    let counter = 0;
    let sum = 0;
    for (let g = 0; g < 8; g++) {
      wg.go(async () => {
        for (let i = 0; i < 10_000; i++) {
          await mu.lock();
          const v = counter;
          await Promise.resolve(); // every other goroutine now queues on the lock
          counter = v + 1;
          sum += g * 10_000 + i;
          mu.unlock();
        }
      });
    }
    await wg.wait();
    expect(counter).toBe(80_000);
    // sum over g of (g * 10^4 * 10^4 + 10^4 * (10^4 - 1) / 2)
    expect(sum).toBe(28 * 1e8 + 8 * ((1e4 * (1e4 - 1)) / 2));
    expect(parkedWaits()).toBe(0);
  });

  it("serves waiters first come, first served, handing the lock to the first waiter", async () => {
    const mu = new Mutex();
    await mu.lock();
    const order: number[] = [];
    const wg = new WaitGroup();
    for (let i = 0; i < 20; i++) {
      wg.go(async () => {
        await mu.lock();
        order.push(i);
        await gosched();
        mu.unlock();
      });
    }
    await yields(); // all 20 queue, in the order they started
    expect(order).toEqual([]);
    mu.unlock();
    // The lock went to waiter 0 directly: a newcomer cannot take it, and queues behind all 20.
    expect(mu.tryLock()).toBe(false);
    const last = mu.lock().then(() => order.push(99));
    await wg.wait();
    await last;
    expect(order).toEqual([...Array(20).keys(), 99]);
    mu.unlock();
  });

  it("stress: FIFO order holds under random interleavings (seeded)", async () => {
    const rng = new Rng(42);
    const mu = new Mutex();
    const order: number[] = [];
    let ticket = 0;
    const wg = new WaitGroup();
    for (let g = 0; g < 16; g++) {
      wg.go(async () => {
        for (let i = 0; i < 200; i++) {
          const mine = ticket++; // taken synchronously right before lock(): arrival order
          await mu.lock();
          order.push(mine);
          if (rng.chance(0.3)) await Promise.resolve();
          mu.unlock();
          if (rng.chance(0.2)) await gosched();
        }
      });
    }
    await wg.wait();
    expect(order.length).toBe(3200);
    expect(order).toEqual([...Array(3200).keys()]);
  });

  it("a waiting lock() shows Go's wait reason, sync.Mutex.Lock", async () => {
    const mu = new Mutex();
    await mu.lock();
    const before = parkedWaits();
    const p = mu.lock();
    expect(parkedWaits()).toBe(before + 1);
    expect(reasons()).toContain("sync.Mutex.Lock");
    mu.unlock();
    await p;
    mu.unlock();
    expect(parkedWaits()).toBe(before);
  });

  it("an uncontended lock/unlock pair returns one shared resolved promise and touches no core memory", async () => {
    const mu = new Mutex();
    const bytes = coreBytesInUse();
    const p1 = mu.lock();
    mu.unlock();
    const p2 = mu.lock();
    mu.unlock();
    expect(p1).toBe(p2);
    expect(coreBytesInUse()).toBe(bytes);
    for (let i = 0; i < 1000; i++) {
      await mu.lock();
      mu.unlock();
    }
    expect(coreBytesInUse()).toBe(bytes);
  });

  it("frees its core wait queue once it is garbage collected", async () => {
    freeDeadQueues();
    const base = coreBytesInUse();
    let kept: Mutex[] = [];
    for (let i = 0; i < 200; i++) {
      const mu = new Mutex();
      await mu.lock();
      const p = mu.lock(); // contended: the mutex gets a core queue
      mu.unlock();
      await p;
      mu.unlock();
      kept.push(mu);
    }
    expect(coreBytesInUse()).toBeGreaterThan(base);
    kept = [];
    await gcAndSettle(5);
    freeDeadQueues();
    expect(kept).toEqual([]);
    expect(coreBytesInUse()).toBeLessThanOrEqual(base);
  });
});
