// sync.Cond: the API.md sync row, and ports of Go's src/sync/cond_test.go (TestCondSignal,
// TestCondSignalGenerations, TestCondBroadcast, TestRace, TestCondSignalStealing), plus misuse
// (wait without holding L) and a Cond over an RWMutex's rLocker().

import { describe, expect, it } from "vitest";
import { Cond, Mutex, RWMutex, WaitGroup } from "../../src/sync/index.js";
import { chan, go, gosched, PanicError } from "../../src/index.js";
import { parkedWaits } from "../../src/core.js";
import { reasons, useGoroutineHygiene } from "../helpers/goroutines.js";
import { yields } from "../helpers/wait.js";

useGoroutineHygiene();

describe("Cond (API.md: sync.Cond)", () => {
  it("TestCondSignal: each signal wakes exactly one waiter", async () => {
    const m = new Mutex();
    const c = new Cond(m);
    let n = 2;
    const running = chan<boolean>(n);
    const awake = chan<boolean>(n);
    for (let i = 0; i < n; i++) {
      go(async () => {
        await m.lock();
        await running.send(true);
        await c.wait();
        await awake.send(true);
        m.unlock();
      });
    }
    for (let i = 0; i < n; i++) await running.recv();
    while (n > 0) {
      await yields(2);
      expect(awake.tryRecv(), "goroutine not asleep").toBeUndefined();
      await m.lock();
      c.signal();
      m.unlock();
      await awake.recv(); // would hang if no goroutine woke
      await yields(2);
      expect(awake.tryRecv(), "too many goroutines awake").toBeUndefined();
      n--;
    }
    c.signal();
  });

  it("TestCondSignalGenerations: signal wakes the goroutine that has waited longest", async () => {
    const m = new Mutex();
    const c = new Cond(m);
    const n = 100;
    const running = chan<boolean>(n);
    const awake = chan<number>(n);
    for (let i = 0; i < n; i++) {
      go(async () => {
        await m.lock();
        await running.send(true);
        await c.wait();
        await awake.send(i);
        m.unlock();
      });
      if (i > 0) {
        const a = await awake.recv();
        expect(a, "wrong goroutine woke up").toBe(i - 1);
      }
      await running.recv();
      await m.lock();
      c.signal();
      m.unlock();
    }
    expect(await awake.recv()).toBe(n - 1);
  });

  it("TestCondBroadcast: broadcast wakes all 200 waiters, each once, 200 times over", async () => {
    const m = new Mutex();
    const c = new Cond(m);
    const n = 200;
    const running = chan<number>(n);
    const awake = chan<number>(n);
    let exit = false;
    for (let i = 0; i < n; i++) {
      go(async () => {
        await m.lock();
        while (!exit) {
          await running.send(i);
          await c.wait();
          await awake.send(i);
        }
        m.unlock();
      });
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) await running.recv(); // would hang unless all n are running
      if (i === n - 1) {
        await m.lock();
        exit = true;
        m.unlock();
      }
      expect(awake.tryRecv(), "goroutine not asleep").toBeUndefined();
      await m.lock();
      c.broadcast();
      m.unlock();
      const seen = new Array<boolean>(n).fill(false);
      for (let j = 0; j < n; j++) {
        const g = (await awake.recv())!;
        expect(seen[g], "goroutine woke up twice").toBe(false);
        seen[g] = true;
      }
    }
    await yields();
    expect(running.tryRecv(), "goroutine did not exit").toBeUndefined();
    c.broadcast();
  });

  it("TestRace: wait/signal hand the condition back and forth between three goroutines", async () => {
    let x = 0 as number;
    const c = new Cond(new Mutex());
    const done = chan<boolean>();
    const errors: string[] = [];
    go(async () => {
      await c.L.lock();
      x = 1;
      await c.wait();
      if (x !== 2) errors.push("want 2");
      x = 3;
      c.signal();
      c.L.unlock();
      await done.send(true);
    });
    go(async () => {
      await c.L.lock();
      for (;;) {
        if (x === 1) {
          x = 2;
          c.signal();
          break;
        }
        c.L.unlock();
        await gosched();
        await c.L.lock();
      }
      c.L.unlock();
      await done.send(true);
    });
    go(async () => {
      await c.L.lock();
      for (;;) {
        if (x === 2) {
          await c.wait();
          if ((x as number) !== 3) errors.push("want 3");
          break;
        }
        if (x === 3) break;
        c.L.unlock();
        await gosched();
        await c.L.lock();
      }
      c.L.unlock();
      await done.send(true);
    });
    await done.recv();
    await done.recv();
    await done.recv();
    expect(errors).toEqual([]);
  });

  it("TestCondSignalStealing: a broadcast racing a new waiter still wakes the first waiter (200 rounds)", async () => {
    for (let iter = 0; iter < 200; iter++) {
      const m = new Mutex();
      const cond = new Cond(m);
      const ch = chan<void>();
      go(async () => {
        await m.lock();
        await ch.send();
        await cond.wait();
        m.unlock();
        await ch.send();
      });
      await ch.recv();
      await m.lock();
      m.unlock();
      let done = false;
      go(() => cond.broadcast());
      go(async () => {
        await m.lock();
        while (!done) await cond.wait();
        m.unlock();
      });
      await ch.recv(); // the first waiter was woken
      await m.lock();
      done = true;
      m.unlock();
      cond.broadcast();
    }
  });

  it("wait() re-locks L before it resolves", async () => {
    const m = new Mutex();
    const c = new Cond(m);
    let ready = false;
    const wg = new WaitGroup();
    wg.go(async () => {
      await m.lock();
      while (!ready) await c.wait();
      expect(m.tryLock()).toBe(false); // held, by this goroutine
      m.unlock();
    });
    await yields();
    expect(m.tryLock(), "wait() released L").toBe(true);
    ready = true;
    c.signal();
    // The waiter has been woken but must get L back first: it stays blocked while we hold it.
    await yields();
    let finished = false;
    void wg.wait().then(() => (finished = true));
    await yields();
    expect(finished).toBe(false);
    m.unlock();
    await wg.wait();
  });

  it("a waiter shows Go's wait reason, sync.Cond.Wait; signal/broadcast with none waiting do nothing", async () => {
    const m = new Mutex();
    const c = new Cond(m);
    c.signal();
    c.broadcast();
    await m.lock();
    const p = c.wait();
    expect(reasons()).toContain("sync.Cond.Wait");
    c.signal();
    await p;
    m.unlock();
  });

  it("wait() without holding L throws the locker's panic at the call and leaves no waiter behind", async () => {
    const m = new Mutex();
    const c = new Cond(m);
    const before = parkedWaits();
    expect(() => c.wait()).toThrow(PanicError);
    expect(() => c.wait()).toThrow("sync: unlock of unlocked mutex");
    expect(parkedWaits()).toBe(before);
    // A later waiter is the one signal wakes.
    await m.lock();
    let woke = false;
    const p = c.wait().then(() => (woke = true));
    c.signal();
    await p;
    expect(woke).toBe(true);
    m.unlock();
  });

  it("works over an RWMutex's rLocker(): readers wait together, broadcast wakes them all", async () => {
    const rw = new RWMutex();
    const c = new Cond(rw.rLocker());
    let go_ = false;
    const wg = new WaitGroup();
    let woke = 0;
    for (let i = 0; i < 5; i++) {
      wg.go(async () => {
        await rw.rLock();
        while (!go_) await c.wait();
        woke++;
        rw.rUnlock();
      });
    }
    await yields();
    expect(woke).toBe(0);
    await rw.lock(); // every reader released its read lock inside wait()
    go_ = true;
    rw.unlock();
    c.broadcast();
    await wg.wait();
    expect(woke).toBe(5);
  });

  it("refuses something that is not a Locker", () => {
    expect(() => new Cond({} as unknown as Mutex)).toThrow(TypeError);
  });
});
