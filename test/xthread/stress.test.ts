// Cross-thread stress with checksums (STYLE.md: a seeded generator on one side, a verifier on the
// other, real worker threads).
//
// 1. MPMC: two producer workers, two consumer workers and the main thread, which both sends and
//    receives in one select over the same two shared channels (send(ch, v) and recv(ch) cases for
//    each). Every value is tagged id * SEQ + seq (main is producer 0). Checked: count, sum and xor
//    of what all consumers received against what was sent; each value received exactly once (a
//    shared byte per value that consumers increment); each producer's values on each channel in
//    order at each consumer (Go orders one sender's values on one channel; across two channels a
//    receiver may legitimately see them interleaved); afterwards checkChan and waiters are clean.
// 2. close racing parked senders, receivers and selects on other threads, many rounds at random
//    moments: every parked receiver gets ok = false, every parked sender rejects with
//    PanicError("send on closed channel"), every select settles exactly once (a receive case with
//    ok false, or that panic), buffered values survive the close, and checkChan(ch) === 0 and
//    waiters(ch) is zero on every channel of the round.
//
// BATON_STRESS_VALUES sets how many values the MPMC test moves per capacity (all producers
// together). 10^7, as the issue asks, takes 92 s here: see DEFAULT_VALUES.
// BATON_STRESS_SEED changes the seed of the close races, BATON_CLOSE_ROUNDS their number.
//
// The last three tests are reproductions of bugs these tests found: two fixed (kept as
// regression tests), one more fixed since (the deferred select teardown that slept).

import { afterAll, describe, expect, it } from "vitest";
import { MessageChannel } from "node:worker_threads";
import { chan, recv, send, select, trySelect, PanicError } from "../../dist/index.js";
import type { Chan, RecvCase, SendCase } from "../../dist/index.js";
import { checkChan, waiters, heapCheck } from "../../dist/debug.js";
import { runRole } from "../helpers/threads.js";
import { Rng, within } from "../helpers/util.js";

// 10^7 values per capacity, as the issue asks, measured on this 2-core machine (Node 20, other
// jobs running beside it), all checks passing: capacity 0 took 52 s (192k values/s), capacity 1
// 25 s (408k/s), capacity 1024 15 s (669k/s): 92 s for the three, over the file's budget. (Before
// 6d6fc69 posted completions after unlocking, the same run took 442 s, 319 s and 39 s.)
// BATON_STRESS_VALUES=10000000 reruns it. The default, 1.5 * 10^6, keeps the three near 15 s
// (20 s with the machine busy), and the file near 30 s.
const DEFAULT_VALUES = 1_500_000;
const VALUES = Number(process.env.BATON_STRESS_VALUES ?? DEFAULT_VALUES);
const SEED = Number(process.env.BATON_STRESS_SEED ?? 0x5eed);

const PRODUCERS = 3; // main (id 0) and two workers (ids 1, 2)
const perProducer = Math.ceil(VALUES / PRODUCERS);
/** The tag's multiplier: id * SEQ + seq, with SEQ = 2^20 unless a producer sends more. */
const SEQ = Math.max(1 << 20, 2 ** Math.ceil(Math.log2(perProducer)));

const timings: string[] = [];
afterAll(() => {
  if (timings.length > 0) console.log(timings.join("\n"));
});

describe("MPMC across threads: 2 producer workers, 2 consumer workers, main selecting both ways", () => {
  for (const cap of [0, 1, 1024]) {
    it(`moves ${perProducer * PRODUCERS} values over two channels of capacity ${cap}, each exactly once, in order per producer`, { timeout: Math.max(120_000, VALUES / 5) }, async () => {
      const n = perProducer;
      const a = chan<number>(cap, { shared: true }), b = chan<number>(cap, { shared: true });
      const chans = [a, b];
      const seen = new SharedArrayBuffer(PRODUCERS * n);
      const marks = new Uint8Array(seen);
      const t0 = performance.now();
      const producers = [1, 2].map((id) =>
        runRole<number>("mpmcProduce", { outs: [a.handle(), b.handle()] }, { id, n, seq: SEQ, seed: SEED + id }),
      );
      type Tally = { count: number; sum: number; xor: number; errors: string[] };
      const consumers = [3, 4].map((id) =>
        runRole<Tally>("mpmcConsume", { ins: [a.handle(), b.handle()] }, { seen, n, seq: SEQ, producers: PRODUCERS, seed: SEED + id }),
      );

      // Main: one select over send(a), send(b), recv(a), recv(b) until it has sent its n values
      // (its send cases then become nil) and both channels are closed and drained.
      const sa: SendCase<number> = send(a, 0), sb: SendCase<number> = send(b, 0);
      const ra: RecvCase<number> = recv(a), rb: RecvCase<number> = recv(b);
      const cases = [sa, sb, ra, rb];
      const mine = { count: 0, sum: 0, xor: 0, errors: [] as string[] };
      const last = chans.map(() => new Float64Array(PRODUCERS).fill(-1));
      let sent = 0, open = 2;
      let doneSending!: () => void;
      const sendingDone = new Promise<void>((r) => (doneSending = r));
      if (n === 0) doneSending();
      // Closes both channels once every producer is done: main's parked select (receive cases
      // only by then) sees the close like any consumer.
      const closer = Promise.all([sendingDone, ...producers.map((p) => p.result)]).then(() => {
        a.close();
        b.close();
      });
      closer.catch(() => {});
      while (open > 0) {
        if (sent < n) sa.value = sb.value = sent; // main is producer 0: its tag is its seq
        const k = await select(cases);
        if (k < 2) {
          if (++sent === n) {
            sa.ch = null;
            sb.ch = null;
            doneSending();
          }
          continue;
        }
        const c = cases[k] as RecvCase<number>;
        if (!c.ok) {
          c.ch = null;
          open--;
          continue;
        }
        const v = c.value!, ch = k - 2;
        const p = Math.floor(v / SEQ), s = v % SEQ;
        if (!(p >= 0 && p < PRODUCERS && s < n)) {
          mine.errors.push(`main: unknown value ${v}`);
          continue;
        }
        if (s <= last[ch][p]) mine.errors.push(`main: channel ${ch}: producer ${p}'s ${s} after ${last[ch][p]}`);
        last[ch][p] = s;
        Atomics.add(marks, p * n + s, 1);
        mine.count++;
        mine.sum += v;
        mine.xor ^= v;
      }
      await closer;
      for (const p of producers) expect(await p.result).toBe(n);
      const tallies = [mine, ...(await Promise.all(consumers.map((c) => c.result)))];
      const secs = (performance.now() - t0) / 1000;
      timings.push(`MPMC cap ${cap}: ${PRODUCERS * n} values in ${secs.toFixed(2)} s (${Math.round((PRODUCERS * n) / secs)} values/s); ` +
        `received by main ${mine.count}, workers ${tallies.slice(1).map((t) => t.count).join(", ")}`);

      // Expected checksums of everything sent.
      let count = 0, sum = 0, xor = 0;
      for (let p = 0; p < PRODUCERS; p++) {
        for (let s = 0; s < n; s++) {
          const v = p * SEQ + s;
          count++;
          sum += v;
          xor ^= v;
        }
      }
      expect(tallies.flatMap((t) => t.errors)).toEqual([]);
      expect(tallies.reduce((x, t) => x + t.count, 0), "count").toBe(count);
      expect(tallies.reduce((x, t) => x + t.sum, 0), "sum").toBe(sum);
      expect(tallies.reduce((x, t) => x ^ t.xor, 0), "xor").toBe(xor);
      const wrong: string[] = [];
      for (let k = 0; k < marks.length && wrong.length < 10; k++) {
        if (marks[k] !== 1) wrong.push(`producer ${Math.floor(k / n)}'s ${k % n} received ${marks[k]} times`);
      }
      expect(wrong).toEqual([]);
      // Every thread took part on both sides.
      expect(mine.count).toBeGreaterThan(0);
      for (const t of tallies) expect(t.count).toBeGreaterThan(0);
      for (const ch of chans) {
        expect(checkChan(ch)).toBe(0);
        expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
        expect(ch.len).toBe(0);
        expect(ch.tryRecv()).toEqual([undefined, false]);
      }
      expect(heapCheck()).toBe(0);
    });
  }
});

// ── close racing parked operations on other threads ──────────────────────────────────────────

/** A select's shape: [channel, isSend] per case, over rch ("r": never sent to; closed), sch ("s":
 *  full, never received from; closed), other ("o": never sent to) and full ("f": a full buffer
 *  that nobody receives from); the last two are never ready and stay open. */
type Shape = ["r" | "s" | "o" | "f", 0 | 1][];
const SHAPES: Shape[] = [
  [["r", 0]],
  [["s", 1]],
  [["r", 0], ["s", 1]],
  [["o", 0], ["r", 0]],
  [["f", 1], ["s", 1], ["r", 0]],
  [["r", 0], ["r", 0]],
  [["o", 0], ["f", 1], ["s", 1]],
  [["f", 1], ["r", 0]],
  [["r", 0], ["o", 0], ["f", 1], ["r", 0]],
];

/** How an operation ended (as roles.mjs's raceOutcome reports it). */
type Outcome = { i?: number; v?: unknown; ok?: boolean; sent?: true; err?: string; panic?: boolean };

/** What one thread parks in a round. */
interface Plan {
  recvs: number;
  sends: number;
  selects: Shape[];
}

const SEND_ON_CLOSED = "PanicError: send on closed channel";


/** Checks how each of a plan's operations ended after both rch and sch were closed; returns what
 *  is wrong. */
function judge(who: string, plan: Plan, res: Outcome[], reuse: Outcome[]): string[] {
  const bad: string[] = [];
  const show = (o: Outcome | undefined) => JSON.stringify(o);
  if (res.length !== plan.recvs + plan.sends + plan.selects.length) return [`${who}: ${res.length} outcomes for the plan ${JSON.stringify(plan)}`];
  let k = 0;
  for (let i = 0; i < plan.recvs; i++, k++) {
    const o = res[k];
    if (!(o.v === undefined && o.ok === false && o.err === undefined)) bad.push(`${who}: parked recvOk ended ${show(o)}, want ok=false`);
  }
  for (let i = 0; i < plan.sends; i++, k++) {
    const o = res[k];
    if (!(o.err === SEND_ON_CLOSED && o.panic === true)) bad.push(`${who}: parked send ended ${show(o)}, want ${SEND_ON_CLOSED}`);
  }
  plan.selects.forEach((shape, j) => {
    const o = res[k++];
    const where = `${who}: select #${j} ${JSON.stringify(shape)}`;
    const hasSend = shape.some(([c]) => c === "s");
    if (o.err !== undefined) {
      if (!(hasSend && o.err === SEND_ON_CLOSED && o.panic === true)) bad.push(`${where} rejected ${show(o)}`);
    } else if (!(o.i !== undefined && shape[o.i]?.[0] === "r" && o.v === undefined && o.ok === false)) {
      bad.push(`${where} resolved ${show(o)}, want a receive case on rch with ok=false${hasSend ? " or the panic" : ""}`);
    }
    // Reused after it settled: nothing of it is still waiting; rch and sch are closed.
    const u = reuse[j];
    if (u.err !== undefined) {
      if (!(hasSend && u.err === SEND_ON_CLOSED)) bad.push(`${where}: reusing its cases threw ${u.err}`);
    } else if (!(u.i !== undefined && shape[u.i]?.[0] === "r")) bad.push(`${where}: reusing its cases gave ${show(u)}`);
  });
  return bad;
}

/** Parks a plan's operations on this thread (main), as roles.mjs's closeRaces does in a worker. */
function parkHere(plan: Plan, ch: Record<"r" | "s" | "o" | "f", Chan<number>>): { all: Promise<Outcome[]>; reuse: () => Outcome[] } {
  const asOutcome = (p: Promise<unknown>, cases?: (RecvCase<number> | SendCase<number>)[], shape?: Shape): Promise<Outcome> =>
    p.then(
      (x) => {
        if (cases === undefined) return Array.isArray(x) ? { v: x[0], ok: x[1] } : { sent: true as const };
        const i = x as number;
        return shape![i][1] ? { i } : { i, v: (cases[i] as RecvCase<number>).value, ok: (cases[i] as RecvCase<number>).ok };
      },
      (e: Error) => ({ err: `${e.name}: ${e.message}`, panic: e instanceof PanicError }),
    );
  const ops: Promise<Outcome>[] = [];
  for (let i = 0; i < plan.recvs; i++) ops.push(asOutcome(ch.r.recvOk()));
  for (let i = 0; i < plan.sends; i++) ops.push(asOutcome(ch.s.send(i)));
  const selects = plan.selects.map((shape) => {
    const cases = shape.map(([c, isSend]) => (isSend ? send(ch[c], 500) : recv(ch[c])));
    ops.push(asOutcome(select(cases), cases, shape));
    return cases;
  });
  return {
    all: Promise.all(ops),
    reuse: () =>
      selects.map((cases) => {
        try {
          return { i: trySelect(cases) };
        } catch (e) {
          return { err: `${(e as Error).name}: ${(e as Error).message}` };
        }
      }),
  };
}

const ROUNDS = Number(process.env.BATON_CLOSE_ROUNDS ?? 2000);


/** A random plan: what one thread parks in a round. */
function randomPlan(rng: Rng): Plan {
  return {
    recvs: rng.int(4),
    sends: rng.int(4),
    selects: Array.from({ length: rng.int(5) }, () => rng.pick(SHAPES)),
  };
}

/** Waiters that a round's plans park, per channel, once every operation is parked. */
function expectedWaiters(plans: Plan[]): Record<"r" | "s" | "o" | "f", { recv: number; send: number }> {
  const w = { r: { recv: 0, send: 0 }, s: { recv: 0, send: 0 }, o: { recv: 0, send: 0 }, f: { recv: 0, send: 0 } };
  for (const p of plans) {
    w.r.recv += p.recvs;
    w.s.send += p.sends;
    for (const shape of p.selects) for (const [c, isSend] of shape) w[c][isSend ? "send" : "recv"]++;
  }
  return w;
}

describe("close racing parked senders, receivers and selects on other threads", () => {
  it(`${ROUNDS} rounds, closed at random moments: every wait ends once, as Go's close says`, { timeout: 120_000 }, async () => {
    const rng = new Rng(SEED);
    type Report = { id: number; round: number; res: Outcome[]; reuse: Outcome[] };
    const ready = chan<number>(2, { shared: true }), report = chan<Report>(2, { shared: true });
    const ws = [1, 2].map((id) => runRole<number>("closeRaces", { ready: ready.handle(), report: report.handle() }, { id }));
    const moments: Record<string, number> = {};
    const t0 = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const capR = rng.pick([0, 1, 4]), capS = rng.pick([0, 1, 4]);
      const rch = chan<number>(capR, { shared: true }), sch = chan<number>(capS, { shared: true });
      const other = chan<number>(0, { shared: true }), full = chan<number>(1, { shared: true });
      const ch = { r: rch, s: sch, o: other, f: full };
      for (let i = 0; i < capS; i++) expect(sch.trySend(100 + i)).toBe(true);
      expect(full.trySend(-1)).toBe(true);
      const plans = [randomPlan(rng), randomPlan(rng), randomPlan(rng)]; // main, worker 1, worker 2
      const moment = rng.weighted({ parked: 4, sync: 2, microtask: 1, immediate: 2, timer: 2 });
      moments[moment] = (moments[moment] ?? 0) + 1;
      const handles = { rch: rch.handle(), sch: sch.handle(), other: other.handle(), full: full.handle() };
      ws.forEach((w, i) => w.worker.postMessage({ round, ...handles, ...plans[i + 1] }));
      const here = parkHere(plans[0], ch);
      let readies = 0;
      // A worker that dies (an uncaught exception) reports nothing: say so rather than time out.
      const died = Promise.race(ws.map((w) => w.result.then(() => Promise.reject(new Error("a worker's role returned early")))));
      died.catch(() => {});
      const fromWorker = <T,>(p: Promise<T>, what: string) => within(Promise.race([p, died]), 10_000, `round ${round} (${moment}): ${what}`);
      if (moment === "parked") {
        // Every operation of every thread is parked: the queues hold exactly the plans' waiters
        // (a select whose first poll found a lock taken parks a macrotask later: wait for it).
        for (; readies < 2; readies++) await fromWorker(ready.recv(), "workers parking");
        const want = expectedWaiters(plans);
        const parked = () => (["r", "s", "o", "f"] as const).every((k) => JSON.stringify(waiters(ch[k])) === JSON.stringify(want[k]));
        for (let i = 0; i < 200 && !parked(); i++) await new Promise((r) => setTimeout(r, 5));
        for (const k of ["r", "s", "o", "f"] as const) {
          expect(waiters(ch[k]), `round ${round}: waiters of ${k} before close`).toEqual(want[k]);
          expect(checkChan(ch[k]), `round ${round}: checkChan(${k}) before close`).toBe(0);
        }
      } else if (moment === "microtask") {
        await null;
      } else if (moment === "immediate") {
        await new Promise((r) => setImmediate(r));
      } else if (moment === "timer") {
        await new Promise((r) => setTimeout(r, rng.int(3)));
      }
      if (rng.chance(0.5)) {
        rch.close();
        sch.close();
      } else {
        sch.close();
        rch.close();
      }
      for (; readies < 2; readies++) await fromWorker(ready.recv(), "workers parking");
      const reports = [await fromWorker(report.recv(), "a worker's report"), await fromWorker(report.recv(), "a worker's report")];
      const mine = await within(here.all, 10_000, `round ${round} (${moment}): main's own waits`);
      const bad = judge("main", plans[0], mine, here.reuse());
      for (const r of reports) {
        expect(r!.round).toBe(round);
        bad.push(...judge(`worker ${r!.id}`, plans[r!.id], r!.res, r!.reuse));
      }
      expect(bad, `round ${round} (${moment}, caps ${capR}/${capS}, plans ${JSON.stringify(plans)})`).toEqual([]);
      // The buffered values survived the close, and nothing a parked sender or send case held
      // got in after them.
      for (let i = 0; i < capS; i++) expect(sch.tryRecv()).toEqual([100 + i, true]);
      expect(sch.tryRecv()).toEqual([undefined, false]);
      expect(rch.tryRecv()).toEqual([undefined, false]);
      expect(full.len).toBe(1);
      for (const k of ["r", "s", "o", "f"] as const) {
        expect(checkChan(ch[k]), `round ${round} (${moment}): checkChan(${k})`).toBe(0);
        expect(waiters(ch[k]), `round ${round} (${moment}): waiters of ${k}`).toEqual({ recv: 0, send: 0 });
      }
    }
    ws.forEach((w) => w.worker.postMessage({ stop: true }));
    for (const w of ws) expect(await w.result).toBe(ROUNDS);
    timings.push(
      `close races: ${ROUNDS} rounds in ${((performance.now() - t0) / 1000).toFixed(2)} s; moments ${JSON.stringify(moments)}`,
    );
    expect(checkChan(ready)).toBe(0);
    expect(checkChan(report)).toBe(0);
    expect(heapCheck()).toBe(0);
  });
});

// ── operations that never wait, while other threads take the channel's lock ─────────────────

describe("operations that never wait, on a closed channel that other threads keep using", () => {
  // Regression (a bug these tests found, fixed in 6d6fc69): under contention for a shared
  // channel's lock, tryRecv answered undefined ("would block"), trySend false and trySelect -1,
  // even on a closed channel, where Go's answers are [undefined, false], a PanicError and the
  // receive case: the core's tryLockChan gave up after some tens of microseconds (R_BUSY) and the
  // facade mapped R_BUSY to "would block". About one call in 2,000 did, with two workers doing
  // tryRecv on the channel, on 2 cores.
  it("answers as Go does: tryRecv [undefined, false], trySend panics, trySelect fires the receive", { timeout: 30_000 }, async () => {
    const ch = chan<number>(0, { shared: true });
    ch.close();
    const ready = chan<string>(2, { shared: true });
    const hammers = [0, 1].map(() => runRole<number>("hammer", { ch: ch.handle(), ready: ready.handle() }, { ms: 2500 }));
    await ready.recv();
    await ready.recv();
    const wrong = { tryRecv: 0, trySend: 0, trySelect: 0 };
    const cases = [recv(ch)];
    let n = 0;
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      for (let i = 0; i < 256; i++, n++) {
        if (ch.tryRecv() === undefined) wrong.tryRecv++;
        try {
          ch.trySend(1);
          wrong.trySend++;
        } catch (e) {
          if (!(e instanceof PanicError)) throw e;
        }
        if (trySelect(cases) !== 0) wrong.trySelect++;
      }
    }
    for (const h of hammers) expect(await h.result).toBeGreaterThan(0);
    expect(wrong, `wrong answers among ${n} of each`).toEqual({ tryRecv: 0, trySend: 0, trySelect: 0 });
  });
});

describe("a select that waits, on a closed channel that other threads keep using", () => {
  // Regression (a bug these tests found, fixed in 6d6fc69): a blocking select whose first poll
  // found a shared channel's lock taken (R_BUSY) polled again after a macrotask, and when that
  // poll failed — here a send case on the closed channel, PanicError("send on closed channel") —
  // run() threw inside the macrotask: an uncaught exception (it killed the worker; on main, the
  // process), and the select's promise never settled (1,622 of 54,000 here). It must reject.
  it("rejects each one with PanicError: no uncaught exception, none left pending", { timeout: 30_000 }, async () => {
    const ch = chan<number>(0, { shared: true });
    ch.close();
    const ready = chan<string>(3, { shared: true });
    const hammers = [0, 1].map(() => runRole<number>("hammer", { ch: ch.handle(), ready: ready.handle() }, { ms: 3000 }));
    await ready.recv();
    await ready.recv();
    const n = 20_000;
    const w = runRole<{ rejected: number; other: number; settled: number; started: number }>(
      "selectSendOnClosed", { ch: ch.handle(), ready: ready.handle() }, { n, ms: 5000 },
    );
    await ready.recv();
    const tally = await w.result;
    for (const h of hammers) await h.result;
    expect(tally).toEqual({ rejected: n, other: 0, settled: n, started: n });
  });
});

describe("a select that another thread fires, torn down while other threads keep a channel's lock busy", () => {
  // BUG (reported): the thread whose select another thread fired tears it down when it takes the
  // completion from its inbox (assembly/inbox.ts inboxNext -> selCleanup); a channel lock that
  // stays taken defers the teardown (T_DEFERRED), retried by the next drainInbox. But if the
  // retry finds a lock taken too, src/inbox.ts's idle() goes to sleep (Atomics.waitAsync on WAKE)
  // with the teardown pending — while the thread has another shared wait parked — and nothing
  // retries it until another thread posts to this one: the select's other waiters stay in their
  // queues meanwhile (waiters(ch) counts them, their records are held, and src/chan.ts's
  // sweepShared lets go of no collected shared channel while DEFERRED is set).
  // Here a fresh worker (the victim: its code still cold, so slow inside its locks) selects on
  // recv(a) and recv(b), another sends on a to fire it, while two more keep b's lock busy
  // (tryRecv in a tight loop). The victim's waiter on b must leave b's queue at once (within a
  // second). Without the fix it stayed in every one of 6 sessions of 6 in a script of the same
  // steps (at round 1 to 67); with idle() going on polling while DEFERRED is set, none did.
  // (model.test.ts's seed-133 test found this; it passes since completions are posted after
  // unlocking, which made the first deferral rarer.)
  // Fixed: a thread no longer sleeps while a select teardown is deferred (inbox.ts, idle).
  it("its waiter on the busy channel leaves the queue at once, round after round", { timeout: 60_000 }, async () => {
    const SESSIONS = 5, MS = 1500;
    const stale: string[] = [];
    let rounds = 0;
    for (let session = 0; session < SESSIONS && stale.length === 0; session++) {
      const a = chan<number>(1, { shared: true }), b = chan<number>(0, { shared: true }), keep = chan<number>(0, { shared: true });
      const ready = chan<string>(2, { shared: true });
      const hammers = [0, 1].map(() => runRole<number>("hammer", { ch: b.handle(), ready: ready.handle() }, { ms: MS }));
      const sender = runRole<number>("sendOnRequest", { out: a.handle() });
      const victim = runRole<string>("selectVictim", { a: a.handle(), b: b.handle(), keep: keep.handle() });
      const { port1, port2 } = new MessageChannel();
      victim.worker.postMessage({ port: port2 }, [port2]);
      const next = () => new Promise<unknown>((resolve) => port1.once("message", resolve));
      await ready.recv();
      await ready.recv();
      const t0 = Date.now();
      for (let round = 0; Date.now() - t0 < MS - 500 && stale.length === 0; round++, rounds++) {
        const parked = next();
        port1.postMessage({ select: true });
        await within(parked, 10_000, `session ${session}, round ${round}: the victim's select`);
        const fired = next();
        sender.worker.postMessage({ send: round });
        expect(await within(fired, 10_000, `session ${session}, round ${round}: the select firing`)).toEqual({ fired: 0, value: round });
        const t1 = performance.now();
        while (waiters(b).recv !== 0 && performance.now() - t1 < 1000) await new Promise((r) => setTimeout(r, 2));
        const w = waiters(b);
        if (w.recv !== 0) stale.push(`session ${session}, round ${round}: waiters(b) = ${JSON.stringify(w)} 1 s after the victim's select fired`);
      }
      port1.postMessage({ stop: true });
      await victim.result;
      port1.close();
      sender.worker.postMessage({ stop: true });
      await sender.result;
      for (const h of hammers) await h.result;
      keep.close();
      await victim.exited;
      expect(checkChan(a)).toBe(0);
      expect(checkChan(b)).toBe(0);
    }
    timings.push(`busy teardown: ${rounds} rounds`);
    expect(stale, `after ${rounds} rounds`).toEqual([]);
  });
});
