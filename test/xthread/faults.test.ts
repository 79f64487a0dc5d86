// Threads that end at any moment, inside a baton call included (API.md: "A thread that ends").
// Workers in tight send/receive/select loops on shared channels are terminated at random moments,
// 200 times, while surviving threads keep sending through the same channels. Afterwards the
// channels pass the core's invariant check, hold no waiter of a dead thread, still work, and
// every value a surviving thread sent arrived exactly once (a dead thread's values at most once).

import { describe, expect, it } from "vitest";
import { chan } from "../../dist/index.js";
import { checkChan, waiters, heapCheck } from "../../dist/debug.js";
import { runRole } from "../helpers/threads.js";
import { Rng } from "../helpers/util.js";

/** Fails with `what` (and the channels' state) if `p` does not settle within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stuck ${ms} ms: ${what()}`)), ms);
    }),
  ]);
}

const SEQ = 1 << 20;

describe("threads terminated at random moments", () => {
  it("200 terminations in tight send/receive/select loops lose no surviving thread's value", { timeout: 240_000 }, async () => {
    const rng = new Rng(0xdead);
    const sink = chan<number>(64, { shared: true });
    const churn = chan<number>(4, { shared: true });
    const ready = chan<number>(0, { shared: true });
    const perSurvivor = 20_000;
    const survivors = [1, 2].map((id) => runRole("produce", { out: sink.handle() }, { id, n: perSurvivor }));
    // Main receives everything from the sink while the victims come and go.
    const seen = new Map<number, number>();
    let stop = false;
    const receiver = (async () => {
      while (!stop) {
        const v = await sink.recv();
        if (v === undefined) break;
        seen.set(v, (seen.get(v) ?? 0) + 1);
      }
    })();
    let started = 0;
    const KILLS = 200, AT_ONCE = 4;
    while (started < KILLS) {
      const batch = new Map<number, ReturnType<typeof runRole>>();
      for (let i = 0; i < AT_ONCE && started < KILLS; i++, started++) {
        const id = 100 + started;
        batch.set(id, runRole("churn", { sink: sink.handle(), churn: churn.handle(), ready: ready.handle() }, { id }));
      }
      // Each victim, once it runs its loop (it says so on `ready`), dies a random moment later.
      const deaths = [];
      const state = () =>
        `started ${started}, sink ${JSON.stringify(waiters(sink))} len ${sink.len}, churn ${JSON.stringify(waiters(churn))}, ` +
        `ready ${JSON.stringify(waiters(ready))}, received ${seen.size}`;
      for (let i = batch.size; i > 0; i--) {
        const v = batch.get((await within(ready.recv(), 30_000, () => `waiting for a victim to start: ${state()}`))!)!;
        deaths.push(new Promise((r) => setTimeout(r, rng.int(15))).then(() => v.worker.terminate()));
      }
      await within(Promise.all(deaths), 30_000, () => `terminating victims: ${state()}`);
    }
    for (const s of survivors) expect(await within(s.result, 60_000, () => `a survivor to finish: sink ${JSON.stringify(waiters(sink))} len ${sink.len}, received ${seen.size}`)).toBe(perSurvivor);
    // Let the exits be seen, then close the sink and drain it.
    await new Promise((r) => setTimeout(r, 50));
    sink.close();
    await within(receiver, 30_000, () => `draining the sink: ${JSON.stringify(waiters(sink))}`);
    stop = true;
    for (const id of [1, 2]) {
      for (let i = 0; i < perSurvivor; i++) {
        if (seen.get(id * SEQ + i) !== 1) throw new Error(`survivor ${id}'s value ${i} arrived ${seen.get(id * SEQ + i) ?? 0} times`);
      }
    }
    let victims = 0;
    for (const [v, n] of seen) {
      if (Math.floor(v / SEQ) >= 100) {
        victims++;
        expect(n).toBe(1);
      }
    }
    expect(victims).toBeGreaterThan(0); // the victims really ran their loops
    // No waiter of a dead thread is left, the invariants hold, and the channels still work.
    for (let i = 0; i < 100 && (waiters(churn).recv + waiters(churn).send) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(waiters(churn)).toEqual({ recv: 0, send: 0 });
    expect(waiters(sink)).toEqual({ recv: 0, send: 0 });
    expect(checkChan(churn)).toBe(0);
    expect(checkChan(sink)).toBe(0);
    while (churn.tryRecv() !== undefined);
    await churn.send(7);
    expect(await churn.recv()).toBe(7);
    expect(heapCheck()).toBe(0);
  });
});
