// Lazy channel timers under random operations (src/time.ts): timers enter the heap only while a
// receive or select waits on their channel, and reads deliver due values themselves, so the
// same timer moves in and out of the heap (and lingers there dead) as waits come and go. A seeded
// driver makes timers, parks receives and selects on them (some withdrawn by a signal, some fired
// by another channel), polls them (tryRecv, len, trySelect), stops and resets them and moves the
// fake clock, and after every step checks the heap's invariants (checkHeap) and a model of each
// one-shot timer: what it may deliver (its current deadline, once), what stop/reset report
// (Go 1.23: active while the deadline is pending or its value unreceived), and that no wait on a
// due timer is left waiting. Tickers are checked more loosely: every tick is on the grid of the
// current period, in order, and never later than its receipt.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { chan, newTicker, newTimer, recv, select, trySelect } from "../../src/index.js";
import type { RecvCase, Ticker, Timer } from "../../src/index.js";
import { checkHeap, pendingTimers } from "../../src/time.js";
import { Rng } from "../helpers/util.js";

const realImmediate = globalThis.setImmediate;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs every microtask, every fake timer due now and a real macrotask (baton's preemption and
 *  inbox use the real setImmediate): whatever can complete without the clock moving has. */
async function settleAll(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
  await new Promise<void>((r) => realImmediate(r));
  await vi.advanceTimersByTimeAsync(0);
}

interface OneShot {
  kind: "timer";
  t: Timer;
  /** The deadline whose value may be received (fake Date.now() ms), or null (stopped, or its value
   *  was received). */
  expect: number | null;
}
interface Tick {
  kind: "ticker";
  t: Ticker;
  period: number;
  /** When the current period started (made or reset), and the last tick received since. */
  start: number;
  last: number;
  stopped: boolean;
}
type Model = OneShot | Tick;

/** A wait in flight: the timers it waits on, when it began, and whether it has completed. */
interface Wait {
  on: Model[];
  at: number;
  done: boolean;
  abort?: AbortController;
}

function run(seed: number, steps: number): Promise<void> {
  const rng = new Rng(seed);
  const models: Model[] = [];
  const waits: Wait[] = [];
  const other = chan<number>(); // a channel some selects also wait on
  const t0 = Date.now();
  let received = 0;

  /** The model's view of a value received from timer m at fake time now. */
  const got = (m: Model, v: number | undefined): void => {
    const now = Date.now();
    expect(typeof v).toBe("number");
    expect(v!).toBeLessThanOrEqual(now); // never early
    received++;
    if (m.kind === "timer") {
      expect(v).toBe(m.expect); // the current deadline, once: nothing stale
      m.expect = null;
    } else {
      expect(m.stopped).toBe(false);
      expect((v! - m.start) % m.period).toBe(0); // on the grid of the current period
      expect(v!).toBeGreaterThan(m.last); // in order
      m.last = v!;
    }
  };

  const make = (): void => {
    if (rng.chance(0.75)) {
      const ms = rng.int(60) - 5;
      models.push({ kind: "timer", t: newTimer(ms), expect: Date.now() + Math.max(ms, 0) });
    } else {
      const period = 1 + rng.int(20);
      const now = Date.now();
      models.push({ kind: "ticker", t: newTicker(period), period, start: now, last: now, stopped: false });
    }
  };

  const park = (): void => {
    const n = 1 + rng.int(3);
    const on: Model[] = [];
    for (let i = 0; i < n; i++) on.push(rng.pick(models));
    const w: Wait = { on, at: Date.now(), done: false };
    if (rng.chance(0.3)) w.abort = new AbortController();
    const signal = w.abort?.signal;
    waits.push(w);
    const settle = (): void => {
      w.done = true;
    };
    if (n === 1 && rng.chance(0.5)) {
      const m = on[0]!;
      m.t.c.recv(signal === undefined ? undefined : { signal }).then(
        (v) => {
          settle();
          got(m, v);
        },
        (e) => {
          settle();
          expect(e).toBe(signal!.reason);
        },
      );
      return;
    }
    const cases: RecvCase<number>[] = on.map((m) => recv(m.t.c));
    const withOther = rng.chance(0.5);
    const all = withOther ? [...cases, recv(other)] : cases;
    select(all, signal === undefined ? undefined : { signal }).then(
      (i) => {
        settle();
        if (i < cases.length) got(on[i]!, cases[i]!.value);
      },
      (e) => {
        settle();
        expect(e).toBe(signal!.reason);
      },
    );
  };

  const poll = (): void => {
    const m = rng.pick(models);
    switch (rng.int(3)) {
      case 0: {
        const r = m.t.c.tryRecv();
        if (r !== undefined) got(m, r[0]);
        break;
      }
      case 1: {
        const n = m.t.c.len;
        expect(n === 0 || n === 1).toBe(true);
        if (m.kind === "timer" && m.expect !== null && m.expect <= Date.now()) expect(n).toBe(1);
        break;
      }
      default: {
        const a = recv(m.t.c), b = recv(rng.pick(models).t.c);
        const i = trySelect([a, b]);
        if (i === 0) got(m, a.value);
        else if (i === 1) got(models.find((x) => x.t.c === b.ch)!, b.value);
      }
    }
  };

  const stopOrReset = (): void => {
    const m = rng.pick(models);
    const reset = rng.chance(0.6);
    const now = Date.now();
    if (m.kind === "timer") {
      const active = m.expect !== null;
      if (reset) {
        const ms = rng.int(60) - 5;
        expect(m.t.reset(ms)).toBe(active);
        m.expect = now + Math.max(ms, 0);
      } else {
        expect(m.t.stop()).toBe(active);
        m.expect = null;
      }
    } else if (reset) {
      const period = 1 + rng.int(20);
      m.t.reset(period);
      Object.assign(m, { period, start: now, last: now, stopped: false });
    } else {
      m.t.stop();
      m.stopped = true;
    }
  };

  /** No wait is left on a one-shot timer whose value is due (the heap or a read delivered it),
   *  nor, alone on a running ticker, past the tick it was due. */
  const lively = (): void => {
    const now = Date.now();
    for (const w of waits) {
      if (w.done) continue;
      for (const m of w.on) {
        if (m.kind === "timer") {
          if (m.expect !== null && m.expect <= now) {
            throw new Error(`seed ${seed}: a wait is still parked on a timer due at ${m.expect - t0} (now ${now - t0})`);
          }
        } else if (!m.stopped && waits.filter((x) => !x.done && x.on.includes(m)).length === 1) {
          // The next tick after the wait began, the period started and the last tick received
          // (another wait, gone since, may have taken the ticks before).
          const from = Math.max(w.at, m.start, m.last);
          const due = m.start + m.period * (Math.floor((from - m.start) / m.period) + 1);
          if (due <= now) {
            throw new Error(`seed ${seed}: a wait is still parked on a ticker that ticked at ${due - t0} (now ${now - t0})`);
          }
        }
      }
    }
  };

  return (async () => {
    // Ballast: long timers that receives wait on keep the heap large, so that the entries of
    // timers nobody waits on any more linger there dead (they are compacted away only once they
    // make up a quarter of the heap), and are waited on again.
    const ballast = Array.from({ length: 24 }, () => newTimer(3_600_000));
    const ballastAbort = new AbortController();
    for (const b of ballast) b.c.recv({ signal: ballastAbort.signal }).catch(() => {});
    for (let i = 0; i < 8; i++) make();
    for (let step = 0; step < steps; step++) {
      const op = rng.weighted({ make: 1, park: 4, poll: 3, stopOrReset: 3, abort: 1, other: 1, clock: 3 });
      switch (op) {
        case "make":
          make();
          break;
        case "park":
          park();
          break;
        case "poll":
          poll();
          break;
        case "stopOrReset":
          stopOrReset();
          break;
        case "abort": {
          const open = waits.filter((w) => !w.done && w.abort !== undefined);
          if (open.length > 0) rng.pick(open).abort!.abort(new Error("withdrawn"));
          break;
        }
        case "other":
          other.trySend(step);
          break;
        case "clock":
          await vi.advanceTimersByTimeAsync(rng.int(15));
          break;
      }
      await settleAll();
      expect(checkHeap()).toBe("");
      lively();
      for (let i = waits.length - 1; i >= 0; i--) if (waits[i]!.done) waits.splice(i, 1);
    }
    // Wind down: stop everything and withdraw what still waits; the heap empties.
    ballastAbort.abort();
    for (const m of models) m.t.stop();
    for (const w of waits) if (!w.done) w.abort?.abort(new Error("withdrawn"));
    await settleAll();
    expect(checkHeap()).toBe("");
    expect(received).toBeGreaterThan(steps / 20); // the run exercised deliveries
    // Waits without a signal on stopped timers stay parked (as in Go); their timers are not in
    // the heap.
    expect(pendingTimers()).toBe(0);
  })();
}

describe("lazy channel timers under random operations", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`keep the heap's invariants and Go 1.23's timer semantics (seed ${seed})`, async () => {
      await run(seed, 1500);
    });
  }
});
