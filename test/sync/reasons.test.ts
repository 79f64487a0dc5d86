// Goroutine dumps: a goroutine blocked in a sync primitive shows Go's wait reason as its state
// in goroutines() (API.md, Goroutines: "sync.Mutex.Lock", "sync.WaitGroup.Wait", ...), and x/sync's
// semaphore shows "select", as Go does.

import { describe, expect, it } from "vitest";
import { Cond, Mutex, Once, RWMutex, Semaphore, WaitGroup } from "../../src/sync/index.js";
import { chan, goroutines } from "../../src/index.js";
import { yields } from "../helpers/wait.js";

describe("wait reasons in goroutines()", () => {
  it("each blocked primitive shows its Go wait reason", async () => {
    const mu = new Mutex();
    await mu.lock();
    const rw = new RWMutex();
    await rw.lock();
    const rw2 = new RWMutex();
    await rw2.rLock();
    const wg = new WaitGroup();
    wg.add(1);
    const cm = new Mutex();
    const cond = new Cond(cm);
    await cm.lock(); // held for the goroutine below, whose wait() unlocks it
    const sem = new Semaphore(1);
    await sem.acquire();
    const once = new Once();
    const release = chan<void>();

    // Every wait below is parked in its goroutine's synchronous start, where the dump knows
    // whose it is (a wait parked after an await shows its goroutine as "waiting").
    const done = new WaitGroup();
    done.go(() => once.do(() => release.recv())); // runs fn: "chan receive"
    done.go(() => mu.lock());
    done.go(() => rw.rLock());
    done.go(() => rw2.lock());
    done.go(() => wg.wait());
    done.go(async () => {
      await cond.wait();
      cm.unlock();
    });
    done.go(() => sem.acquire());
    done.go(() => once.do(() => {}));
    await yields();

    const states = goroutines().map((g) => g.state).sort();
    for (const want of [
      "select",
      "sync.Cond.Wait",
      "sync.Mutex.Lock", // mu
      "sync.RWMutex.Lock",
      "sync.RWMutex.RLock",
      "sync.WaitGroup.Wait",
    ]) {
      expect(states, `no goroutine in state ${want}`).toContain(want);
    }
    // Once's waiter waits on its internal mutex, as in Go.
    expect(states.filter((s) => s === "sync.Mutex.Lock")).toHaveLength(2);

    mu.unlock();
    rw.unlock();
    rw2.rUnlock();
    wg.done();
    cond.signal();
    sem.release();
    await release.send();
    await done.wait();
    // done.go's goroutines hold what they acquired; let them go.
    mu.unlock();
    rw.rUnlock();
    rw2.unlock();
    sem.release();
  });
});
