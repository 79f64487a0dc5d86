// sync.RWMutex: the API.md sync row ("a waiting writer blocks new readers"), ports of Go's
// src/sync/rwmutex_test.go (TestParallelReaders, TestRWMutex's HammerRWMutex, TestRLocker) and of
// the RWMutex cases of src/sync/mutex_test.go's TestMutexMisuse, the reader batches a writer's
// unlock admits, writer non-starvation, and the wait reasons.

import { describe, expect, it } from "vitest";
import { RWMutex, WaitGroup } from "../../src/sync/index.js";
import { chan, go, gosched, PanicError } from "../../src/index.js";
import { parkedWaits } from "../../src/core.js";
import { coreBytesInUse } from "../../src/debug.js";
import { Rng } from "../helpers/util.js";
import { reasons, useGoroutineHygiene } from "../helpers/goroutines.js";
import { yields } from "../helpers/wait.js";

useGoroutineHygiene();

describe("RWMutex (API.md: sync.RWMutex)", () => {
  it("TestParallelReaders: 1, 3 and 4 readers all hold the read lock at once", async () => {
    for (const numReaders of [1, 3, 4]) {
      const m = new RWMutex();
      const clocked = chan<boolean>();
      const cunlock = chan<boolean>();
      const cdone = chan<boolean>();
      for (let i = 0; i < numReaders; i++) {
        go(async () => {
          await m.rLock();
          await clocked.send(true);
          await cunlock.recv();
          m.rUnlock();
          await cdone.send(true);
        });
      }
      for (let i = 0; i < numReaders; i++) await clocked.recv(); // every rLock succeeded together
      for (let i = 0; i < numReaders; i++) await cunlock.send(true);
      for (let i = 0; i < numReaders; i++) await cdone.recv();
      expect(m.tryLock()).toBe(true);
      m.unlock();
    }
  });

  it("TestRWMutex: HammerRWMutex, two writers and 1, 3, 5 or 10 readers; activity never shows a writer beside anyone", async () => {
    const rng = new Rng(7);
    const hammer = async (numReaders: number, iterations: number) => {
      let activity = 0; // active readers + 10000 × active writers
      const rwm = new RWMutex();
      const cdone = chan<boolean>();
      const errors: string[] = [];
      const reader = async () => {
        for (let i = 0; i < iterations; i++) {
          await rwm.rLock();
          const n = ++activity;
          if (n < 1 || n >= 10000) errors.push(`rlock(${n})`);
          if (rng.chance(0.5)) await Promise.resolve();
          activity--;
          rwm.rUnlock();
        }
        await cdone.send(true);
      };
      const writer = async () => {
        for (let i = 0; i < iterations; i++) {
          await rwm.lock();
          const n = (activity += 10000);
          if (n !== 10000) errors.push(`wlock(${n})`);
          if (rng.chance(0.5)) await Promise.resolve();
          activity -= 10000;
          rwm.unlock();
        }
        await cdone.send(true);
      };
      go(writer);
      let i = 0;
      for (; i < numReaders / 2; i++) go(reader);
      go(writer);
      for (; i < numReaders; i++) go(reader);
      for (let j = 0; j < 2 + numReaders; j++) await cdone.recv();
      expect(errors).toEqual([]);
      expect(activity).toBe(0);
    };
    for (const readers of [1, 3, 10, 5]) await hammer(readers, 300);
  });

  it("TestRLocker: rLocker() read-locks, and respects the write lock", async () => {
    const wl = new RWMutex();
    const rl = wl.rLocker();
    const wlocked = chan<boolean>(1);
    const rlocked = chan<boolean>(1);
    const n = 10;
    go(async () => {
      for (let i = 0; i < n; i++) {
        await rl.lock();
        await rl.lock();
        await rlocked.send(true);
        await wl.lock();
        await wlocked.send(true);
      }
    });
    for (let i = 0; i < n; i++) {
      await rlocked.recv();
      rl.unlock();
      await yields(2);
      expect(wlocked.tryRecv(), "rLocker() didn't read-lock it").toBeUndefined();
      rl.unlock();
      await wlocked.recv();
      await yields(2);
      expect(rlocked.tryRecv(), "rLocker() didn't respect the write lock").toBeUndefined();
      wl.unlock();
    }
  });

  describe("TestMutexMisuse (RWMutex cases): Go's panic message, thrown synchronously", () => {
    const cases: [string, (mu: RWMutex) => Promise<void>, string][] = [
      ["RWMutex.Unlock", async (mu) => mu.unlock(), "sync: Unlock of unlocked RWMutex"],
      ["RWMutex.Unlock2", async (mu) => { await mu.rLock(); mu.unlock(); }, "sync: Unlock of unlocked RWMutex"],
      ["RWMutex.Unlock3", async (mu) => { await mu.lock(); mu.unlock(); mu.unlock(); }, "sync: Unlock of unlocked RWMutex"],
      ["RWMutex.RUnlock", async (mu) => mu.rUnlock(), "sync: RUnlock of unlocked RWMutex"],
      ["RWMutex.RUnlock2", async (mu) => { await mu.lock(); mu.rUnlock(); }, "sync: RUnlock of unlocked RWMutex"],
      ["RWMutex.RUnlock3", async (mu) => { await mu.rLock(); mu.rUnlock(); mu.rUnlock(); }, "sync: RUnlock of unlocked RWMutex"],
    ];
    for (const [name, f, message] of cases) {
      it(name, async () => {
        const err = await f(new RWMutex()).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(PanicError);
        expect((err as Error).message).toBe(message);
      });
    }
  });

  it("readers share; a writer excludes everyone; tryLock/tryRLock never wait", async () => {
    const rw = new RWMutex();
    await rw.rLock();
    expect(rw.tryRLock()).toBe(true);
    expect(rw.tryLock()).toBe(false);
    rw.rUnlock();
    rw.rUnlock();
    expect(rw.tryLock()).toBe(true);
    expect(rw.tryLock()).toBe(false);
    expect(rw.tryRLock()).toBe(false);
    rw.unlock();
    expect(rw.tryRLock()).toBe(true);
    rw.rUnlock();
  });

  it("a waiting writer blocks new readers (writers are not starved)", async () => {
    const rw = new RWMutex();
    await rw.rLock();
    await rw.rLock();
    const log: string[] = [];
    go(async () => {
      await rw.lock();
      log.push("writer in");
      await gosched();
      log.push("writer out");
      rw.unlock();
    });
    await yields();
    expect(log).toEqual([]);
    // The writer waits: a new reader may not overtake it.
    expect(rw.tryRLock()).toBe(false);
    go(async () => {
      await rw.rLock();
      log.push("late reader in");
      rw.rUnlock();
    });
    await yields();
    expect(log).toEqual([]);
    rw.rUnlock();
    await yields();
    expect(log).toEqual([]); // one reader still holds it
    rw.rUnlock();
    await yields();
    expect(log).toEqual(["writer in", "writer out", "late reader in"]);
  });

  it("a steady stream of readers does not starve a writer", async () => {
    const rw = new RWMutex();
    let stop = false;
    let writerDone = false;
    const wg = new WaitGroup();
    for (let r = 0; r < 4; r++) {
      wg.go(async () => {
        while (!stop) {
          await rw.rLock();
          await gosched();
          rw.rUnlock();
        }
      });
    }
    await yields(2);
    wg.go(async () => {
      await rw.lock();
      writerDone = true;
      stop = true;
      rw.unlock();
    });
    for (let i = 0; i < 50 && !writerDone; i++) await gosched();
    expect(writerDone).toBe(true);
    stop = true;
    await wg.wait();
  });

  it("a writer's unlock admits the readers queued before the next writer, and only them", async () => {
    const rw = new RWMutex();
    await rw.lock();
    const log: string[] = [];
    const reader = (name: string) => async () => {
      await rw.rLock();
      log.push(`${name} in`);
      await held.recv();
      log.push(`${name} out`);
      rw.rUnlock();
    };
    const writer = (name: string) => async () => {
      await rw.lock();
      log.push(`${name} in`);
      await held.recv();
      log.push(`${name} out`);
      rw.unlock();
    };
    const held = chan<void>();
    go(reader("R1"));
    go(reader("R2"));
    go(writer("W2"));
    go(reader("R3"));
    go(writer("W3"));
    await yields();
    expect(reasons().filter((r) => r.startsWith("sync.RWMutex")).sort()).toEqual([
      "sync.RWMutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.RLock", "sync.RWMutex.RLock",
    ]);
    rw.unlock();
    await yields();
    expect(log).toEqual(["R1 in", "R2 in"]);
    await held.send();
    await held.send();
    await yields();
    expect(log).toEqual(["R1 in", "R2 in", "R1 out", "R2 out", "W2 in"]);
    await held.send();
    await yields();
    expect(log.slice(5)).toEqual(["W2 out", "R3 in"]);
    await held.send();
    await yields();
    expect(log.slice(7)).toEqual(["R3 out", "W3 in"]);
    await held.send();
    await yields();
    expect(log.slice(9)).toEqual(["W3 out"]);
    expect(parkedWaits()).toBe(0);
    expect(rw.tryLock()).toBe(true);
    rw.unlock();
  });

  it("writers are served in order", async () => {
    const rw = new RWMutex();
    await rw.lock();
    const order: number[] = [];
    const wg = new WaitGroup();
    for (let i = 0; i < 10; i++) {
      wg.go(async () => {
        await rw.lock();
        order.push(i);
        rw.unlock();
      });
    }
    await yields();
    rw.unlock();
    await wg.wait();
    expect(order).toEqual([...Array(10).keys()]);
  });

  it("stress: random readers and writers (seeded) keep the invariant and a checksum", async () => {
    const rng = new Rng(2024);
    const rw = new RWMutex();
    let readers = 0;
    let writers = 0;
    let value = 0;
    let reads = 0;
    const bad: string[] = [];
    const wg = new WaitGroup();
    for (let g = 0; g < 12; g++) {
      const isWriter = g % 3 === 0;
      wg.go(async () => {
        for (let i = 0; i < 500; i++) {
          if (isWriter) {
            if (!rw.tryLock()) await rw.lock();
            writers++;
            if (writers !== 1 || readers !== 0) bad.push(`writers ${writers} readers ${readers}`);
            const v = value;
            if (rng.chance(0.5)) await Promise.resolve();
            value = v + 1;
            writers--;
            rw.unlock();
          } else {
            if (!rw.tryRLock()) await rw.rLock();
            readers++;
            if (writers !== 0) bad.push(`reader beside a writer`);
            if (rng.chance(0.5)) await Promise.resolve();
            reads++;
            readers--;
            rw.rUnlock();
          }
          if (rng.chance(0.1)) await gosched();
        }
      });
    }
    await wg.wait();
    expect(bad).toEqual([]);
    expect(value).toBe(4 * 500);
    expect(reads).toBe(8 * 500);
  });

  it("uncontended rLock/rUnlock and lock/unlock touch no core memory", async () => {
    const rw = new RWMutex();
    const bytes = coreBytesInUse();
    for (let i = 0; i < 100; i++) {
      await rw.rLock();
      await rw.rLock();
      rw.rUnlock();
      rw.rUnlock();
      await rw.lock();
      rw.unlock();
    }
    expect(coreBytesInUse()).toBe(bytes);
    const a = rw.rLock();
    const b = rw.rLock();
    expect(a).toBe(b); // the shared resolved promise
    rw.rUnlock();
    rw.rUnlock();
  });
});
