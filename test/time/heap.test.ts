// The timer heap (src/time.ts): one ordered structure behind one host timer. A channel timer is
// in it only while a receive or select waits on its channel: 10^5 timers nobody waits on never
// enter it, and waited-on timers made and stopped in several orders leave it empty; random
// starts, stops and resets keep its invariants and fire in deadline order, waited on or not; the
// wake source refs the host timer only while asked to; and, in child processes, a pending timer
// keeps Node alive only while something waits.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newTimer, sleep } from "../../src/time.js";
import type { Timer } from "../../src/time.js";
import { checkHeap, pendingTimers } from "../../src/time.js";
import { wakeSources } from "../../src/core.js";
import { Rng } from "../helpers/util.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("10^5 timers", () => {
  const N = 100_000;
  it("that nobody waits on never enter the heap, and all stop", () => {
    const timers: Timer[] = new Array(N);
    for (let i = 0; i < N; i++) timers[i] = newTimer(60_000 + (i % 1000));
    expect(pendingTimers()).toBe(0);
    let stopped = 0;
    for (const t of timers) if (t.stop()) stopped++;
    expect(stopped).toBe(N);
    let again = 0;
    for (const t of timers) if (t.stop()) again++;
    expect(again).toBe(0);
    expect(checkHeap()).toBe("");
  });
});

describe("2 * 10^4 timers waited on", () => {
  const N = 20_000;
  for (const order of ["creation", "reverse", "random"] as const) {
    it(`are made and stopped (${order} order), and leave the heap empty`, () => {
      const rng = new Rng(7);
      const timers: Timer[] = new Array(N);
      const before = pendingTimers();
      for (let i = 0; i < N; i++) {
        timers[i] = newTimer(60_000 + rng.int(60_000));
        void timers[i]!.c.recv(); // parked: the timer must fire by itself now
      }
      expect(pendingTimers()).toBe(before + N);
      expect(checkHeap()).toBe("");
      const idx = [...Array(N).keys()];
      if (order === "reverse") idx.reverse();
      if (order === "random") rng.shuffle(idx);
      let stopped = 0;
      for (let k = 0; k < N; k++) {
        if (timers[idx[k]!]!.stop()) stopped++;
        if (k % 10_000 === 0) expect(checkHeap()).toBe("");
      }
      expect(stopped).toBe(N);
      expect(pendingTimers()).toBe(before);
      expect(checkHeap()).toBe("");
      let again = 0;
      for (const t of timers) if (t.stop()) again++;
      expect(again).toBe(0);
    });
  }
});

describe("random operations", () => {
  for (const waited of [false, true]) {
    it(`keep the heap's invariants and deliver each timer's deadline (${waited ? "a receive parked on each" : "nobody waiting"})`, async () => {
      vi.useFakeTimers();
      const rng = new Rng(2024);
      const n = 400;
      const timers: Timer[] = [];
      const due: number[] = []; // the fake-clock deadline of each timer, or -1 once stopped
      const got = new Map<Timer, number>(); // what the parked receives took
      const base = Date.now();
      for (let i = 0; i < n; i++) {
        const ms = 1 + rng.int(200);
        const t = newTimer(ms);
        if (waited) void t.c.recv().then((v) => got.set(t, v!));
        timers.push(t);
        due.push(ms);
      }
      for (let step = 0; step < 2000; step++) {
        const i = rng.int(n);
        const t = timers[i]!;
        if (rng.chance(0.3)) {
          expect(t.stop()).toBe(due[i]! >= 0);
          due[i] = -1;
        } else {
          const ms = 1 + rng.int(200);
          expect(t.reset(ms)).toBe(due[i]! >= 0);
          due[i] = ms;
          // reset moves the timer to the end of the start order among equal deadlines
          timers.push(timers.splice(i, 1)[0]!);
          due.push(due.splice(i, 1)[0]!);
        }
        if (step % 100 === 0) expect(checkHeap()).toBe("");
      }
      expect(checkHeap()).toBe("");
      const live = due.filter((d) => d >= 0).length;
      expect(pendingTimers()).toBe(waited ? live : 0);
      // Fire everything: each timer's value is the fake time its deadline passed.
      await vi.advanceTimersByTimeAsync(201);
      expect(pendingTimers()).toBe(0);
      const fired: { i: number; at: number }[] = [];
      timers.forEach((t, i) => {
        const r = waited ? (got.has(t) ? ([got.get(t)!, true] as const) : undefined) : t.c.tryRecv();
        if (due[i]! < 0) expect(r).toBeUndefined();
        else {
          expect(r?.[1]).toBe(true);
          fired.push({ i, at: r![0]! - base });
        }
      });
      expect(fired.length).toBe(live);
      for (const f of fired) expect(f.at).toBe(due[f.i]);
      if (waited) {
        // Fired in deadline order, ties in start order (timers is in start order).
        const order = timers.filter((_, i) => due[i]! >= 0);
        const key = new Map(order.map((t, k) => [t, k]));
        order.sort((a, b) => due[timers.indexOf(a)]! - due[timers.indexOf(b)]! || key.get(a)! - key.get(b)!);
        expect([...got.keys()]).toEqual(order);
      }
    });
  }

  it("fires every due timer in one host callback", async () => {
    vi.useFakeTimers();
    const timers = [5, 5, 5, 5].map((ms) => newTimer(ms));
    expect(vi.getTimerCount()).toBe(0); // nobody waits: no host timer at all
    const got = [timers[0]!.c.recv()];
    const hosts = vi.getTimerCount(); // time.ts's, and the wait clock's (clock.ts) if it armed one
    got.push(...timers.slice(1).map((t) => t.c.recv()));
    expect(vi.getTimerCount()).toBe(hosts); // one host timer, not one per timer
    await vi.advanceTimersByTimeAsync(5);
    for (const v of await Promise.all(got)) expect(typeof v).toBe("number");
    expect(pendingTimers()).toBe(0);
  });

  it("sleepers that start and stop timers while they fire are handled", async () => {
    vi.useFakeTimers();
    const order: string[] = [];
    void sleep(10).then(() => {
      order.push("a");
      void sleep(0).then(() => order.push("a0"));
      void sleep(5).then(() => order.push("a5"));
    });
    void sleep(10).then(() => order.push("b"));
    await vi.advanceTimersByTimeAsync(10);
    expect(order).toEqual(["a", "b", "a0"]);
    await vi.advanceTimersByTimeAsync(5);
    expect(order).toEqual(["a", "b", "a0", "a5"]);
    expect(checkHeap()).toBe("");
  });
});

describe("keep-alive", () => {
  const timeSource = (): ((parked: boolean) => boolean) => {
    // time.ts registers exactly one wake source; other modules may register theirs.
    expect(wakeSources.length).toBeGreaterThanOrEqual(1);
    return wakeSources[wakeSources.length - 1]!;
  };
  const refTimeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

  it("the host timer is unref'd unless the wake source is asked with waits parked", () => {
    const before = refTimeouts();
    const t = newTimer(3_600_000);
    const source = timeSource();
    expect(source(true)).toBe(false); // nobody waits on it: it can wake no one (Go 1.23: in no heap)
    void t.c.recv();
    expect(refTimeouts()).toBe(before); // a pending timer alone does not keep Node alive
    expect(source(true)).toBe(true); // waits parked, a timer they wait on pending: keep alive
    expect(refTimeouts()).toBe(before + 1);
    expect(source(false)).toBe(false);
    expect(refTimeouts()).toBe(before);
    expect(source(true)).toBe(true);
    t.stop(); // nothing pending any more: let go at once
    expect(refTimeouts()).toBe(before);
    expect(source(true)).toBe(false);
  });

  const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
  const haveDist = existsSync(`${dist}index.js`);
  const run = (code: string) =>
    spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", timeout: 20_000 });
  const imports = `import { sleep, newTimer } from ${JSON.stringify(`${dist}index.js`)};`;

  it.skipIf(!haveDist)("in Node, a pending timer nobody waits on does not keep the process alive", () => {
    const r = run(`${imports} newTimer(3_600_000); console.log("end");`);
    expect(r.stdout.trim()).toBe("end");
    expect(r.status).toBe(0);
  });

  it.skipIf(!haveDist)("in Node, a wait on a timer keeps the process alive until it fires", () => {
    const r = run(`${imports} await sleep(200); console.log("woke");`);
    expect(r.stdout.trim()).toBe("woke");
    expect(r.status).toBe(0);
  });

  it.skipIf(!haveDist)("in Node, once the wait is over, a timer left pending no longer keeps it alive", () => {
    const r = run(`${imports} await sleep(50); newTimer(3_600_000); console.log("done");`);
    expect(r.stdout.trim()).toBe("done");
    expect(r.status).toBe(0);
  });
});
