// Seeded randomized tests of shared channels across threads: test/model.test.ts extended to
// workers. Operations are issued from the main thread and from two workers (real worker threads
// over the one shared memory), on a few shared channels.
//
// 1. Lockstep against a reference model. One thread acts at a time: each step, one of the three
//    threads performs one operation (trySend, tryRecv, close, len/cap, send, recv, recvOk, and
//    select over 1-3 cases, or now and then up to 8, as trySelect, with default or blocking), and
//    the step ends once every operation that it completed, on any thread, has settled there. The
//    model is a plain Go channel (buffer, closed flag, FIFO queues of parked senders and
//    receivers across all threads, selects parked on several queues that fire once); since only
//    one thread acts at a time, it decides everything but the pick of a select among ready cases
//    (baton picks; the model checks that the pick was ready and follows it). Checked after every
//    step: every result (values, ok, indexes, PanicErrors), which parked operation of which thread
//    got which value, len and cap, waiters(ch), and checkChan(ch) === 0.
// 2. Concurrent programs. The three threads run random programs at once on the same channels
//    while main closes them all at a random moment; the model cannot order what races, so it
//    checks what holds anyway: per channel, the values received (by any thread, and drained at
//    the end) are exactly the values whose send succeeded, each once and on the channel it was
//    sent on; each receiver sees each sender's values in order, and a drain after all of them
//    sees only later ones; once a thread has seen a channel closed and drained it never receives
//    from it again and its sends panic; len stays within cap; checkChan(ch) === 0 after every
//    step of main's program; no waiter is left.
//
// Seeds are fixed; every failure names its seed. SEED=<n> reruns one program alone (both
// kinds); BATON_MODEL_SEEDS=<n> sets how many of each kind run.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import * as baton from "../../dist/index.js";
import { chan } from "../../dist/index.js";
import type { Chan, ChanHandle } from "../../dist/index.js";
import { checkChan, waiters, heapCheck } from "../../dist/debug.js";
import { runRole } from "../helpers/threads.js";
import type { Running } from "../helpers/threads.js";
import { Rng } from "../helpers/util.js";

const ONLY_SEED = process.env.SEED !== undefined ? Number(process.env.SEED) : undefined;
const SEEDS = Number(process.env.BATON_MODEL_SEEDS ?? 1000);
const seeds = (base: number): number[] => (ONLY_SEED !== undefined ? [ONLY_SEED] : Array.from({ length: SEEDS }, (_, i) => base + i));

// The operations run by the same code in every thread: roles.mjs's modelOp and modelProgram
// (the workers run them there; main imports them here).
type Outcome = { value?: unknown; ok?: boolean; index?: number; err?: string; panic?: boolean };
type SelectSpec = { c: number | null; send: boolean; v?: unknown };
type Op =
  | { kind: "trySend" | "send"; c: number; v: unknown }
  | { kind: "tryRecv" | "recv" | "recvOk" | "close" | "len"; c: number }
  | { kind: "select"; mode: "block" | "default" | "try"; cases: SelectSpec[] };
type ProgramResult = { sent: number[][]; received: number[][]; errors: string[] };
interface Roles {
  modelOp(chans: Chan<unknown>[], op: Op, b: typeof baton): { sync?: Outcome; promise?: Promise<Outcome> };
  modelProgram(
    chans: Chan<number>[],
    args: { tid: number; seed: number; steps: number },
    b: typeof baton,
    afterStep?: (i: number) => void,
  ): Promise<ProgramResult>;
}
const ROLES = new URL("../fixtures/xthread/roles.mjs", import.meta.url).href;
let roles: Roles;

/** A worker running a role that takes requests over a MessagePort. */
interface Peer {
  running: Running<unknown>;
  port: MessagePort;
}

function startPeer(role: string): Peer {
  const running = runRole(role);
  const { port1, port2 } = new MessageChannel();
  running.worker.postMessage({ port: port2 }, [port2]);
  return { running, port: port1 };
}

async function stopPeer(p: Peer): Promise<void> {
  p.port.postMessage({ stop: true });
  await p.running.result;
  p.port.close();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const turn = () => new Promise<void>((r) => setImmediate(r));

// ---------------------------------------------------------------------------------------------
// 1. Lockstep against a reference model
// ---------------------------------------------------------------------------------------------

const SEND_ON_CLOSED: Outcome = { err: "PanicError: send on closed channel", panic: true };
const CLOSE_OF_CLOSED: Outcome = { err: "PanicError: close of closed channel", panic: true };

/** An operation whose outcome may come after the step that started it. */
interface AsyncOp {
  id: number;
  thread: number;
  desc: string;
  expected?: Outcome;
  /** The step at which it parked (the model's view), if it did. */
  parkedAt?: number;
  /** Receive cases of one select on one channel: which of them fires is open (Go parks them in
   *  lock order), so any of these indexes is right. */
  anyOf?: number[];
  actual?: Outcome;
}

/** A parked operation in one model queue; a select has one per non-nil case, sharing `sel`. */
interface MWaiter {
  op: AsyncOp;
  form: "send" | "recv" | "recvOk" | "select";
  caseIndex: number;
  value: unknown;
  sel?: { done: boolean };
  twins?: number[];
}

/** A Go channel, the obvious way. */
class ModelChan {
  buf: unknown[] = [];
  closed = false;
  recvq: MWaiter[] = [];
  sendq: MWaiter[] = [];
  constructor(readonly cap: number) {}
}

const live = (w: MWaiter): boolean => !w.sel || !w.sel.done;
const liveCount = (q: MWaiter[]): number => q.filter(live).length;
const popLive = (q: MWaiter[]): MWaiter | undefined => {
  while (q.length > 0) {
    const w = q.shift()!;
    if (live(w)) return w;
  }
  return undefined;
};

function wakeRecv(w: MWaiter, v: unknown, ok: boolean): void {
  if (w.sel) {
    w.sel.done = true;
    w.op.expected = { index: w.caseIndex, value: v, ok };
    w.op.anyOf = w.twins;
  } else if (w.form === "recvOk") w.op.expected = { value: v, ok };
  else w.op.expected = { value: v };
}

function wakeSend(w: MWaiter, closed: boolean): void {
  if (w.sel) w.sel.done = true;
  if (closed) w.op.expected = SEND_ON_CLOSED;
  else if (w.sel) w.op.expected = { index: w.caseIndex, value: undefined };
  else w.op.expected = { value: undefined };
}

function modelSend(m: ModelChan, v: unknown): "panic" | "ok" | "block" {
  if (m.closed) return "panic";
  const r = popLive(m.recvq);
  if (r) {
    wakeRecv(r, v, true);
    return "ok";
  }
  if (m.buf.length < m.cap) {
    m.buf.push(v);
    return "ok";
  }
  return "block";
}

function modelRecv(m: ModelChan): { v: unknown; ok: boolean } | "block" {
  if (m.buf.length > 0) {
    const v = m.buf.shift();
    const s = popLive(m.sendq);
    if (s) {
      m.buf.push(s.value);
      wakeSend(s, false);
    }
    return { v, ok: true };
  }
  const s = popLive(m.sendq);
  if (s) {
    wakeSend(s, false);
    return { v: s.value, ok: true };
  }
  if (m.closed) return { v: undefined, ok: false };
  return "block";
}

function modelClose(m: ModelChan): void {
  m.closed = true;
  for (const r of m.recvq) if (live(r)) wakeRecv(r, undefined, false);
  for (const s of m.sendq) if (live(s)) wakeSend(s, true);
  m.recvq = [];
  m.sendq = [];
}

const canRecv = (m: ModelChan): boolean => m.buf.length > 0 || liveCount(m.sendq) > 0 || m.closed;
const canSend = (m: ModelChan): boolean => m.closed || liveCount(m.recvq) > 0 || m.buf.length < m.cap;

/** Values as they cross threads: structured clones, so objects compare by content. */
const sameValue = (a: unknown, b: unknown): boolean =>
  typeof a === "object" && a !== null && typeof b === "object" && b !== null ? JSON.stringify(a) === JSON.stringify(b) : Object.is(a, b);

const show = (v: unknown): string => (v === undefined ? "undefined" : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

const showOutcome = (o: Outcome | undefined, anyOf?: number[]): string => {
  if (o === undefined) return "pending";
  if (o.err !== undefined) return `threw(${o.err})`;
  const parts: string[] = [];
  if (anyOf !== undefined) parts.push(`index in [${anyOf}]`);
  else if (o.index !== undefined) parts.push(`index=${o.index}`);
  parts.push(`value=${show(o.value)}`);
  if (o.ok !== undefined) parts.push(`ok=${o.ok}`);
  return parts.join(", ");
};

function sameOutcome(want: Outcome, got: Outcome, anyOf?: number[]): boolean {
  if (want.err !== undefined || got.err !== undefined) return want.err === got.err && want.panic === got.panic;
  if (anyOf !== undefined ? got.index === undefined || !anyOf.includes(got.index) : want.index !== got.index) return false;
  return sameValue(want.value, got.value) && want.ok === got.ok;
}

class ModelFailure extends Error {}

/** Ids of the requests to the agents, unique over all programs. */
let nextRequest = 0;

/** The two workers of the lockstep test, as the main thread drives them. */
class Agent {
  readonly peer: Peer;
  #first = new Map<number, (m: { outcome?: Outcome; parked?: true }) => void>();
  #later = new Map<number, (o: Outcome) => void>();
  #attached: (() => void) | undefined;
  constructor() {
    this.peer = startPeer("modelAgent");
    this.peer.port.on("message", (m: { id?: number; outcome?: Outcome; parked?: true; attached?: number }) => {
      if (m.attached !== undefined) return this.#attached?.();
      const first = this.#first.get(m.id!);
      if (first !== undefined) {
        this.#first.delete(m.id!);
        return first(m);
      }
      const later = this.#later.get(m.id!);
      if (later !== undefined) {
        this.#later.delete(m.id!);
        later(m.outcome!);
      }
    });
  }
  attach(handles: ChanHandle<unknown>[]): Promise<void> {
    return new Promise((resolve) => {
      this.#attached = resolve;
      this.peer.port.postMessage({ chans: handles });
    });
  }
  /** Performs op in the worker: its outcome if it completed within a turn of the worker's event
   *  loop, else undefined, and `settle` is called with it once it completes. */
  run(id: number, op: Op, settle: (o: Outcome) => void): Promise<Outcome | undefined> {
    return new Promise((resolve) => {
      this.#first.set(id, (m) => {
        if (m.parked) {
          this.#later.set(id, settle);
          resolve(undefined);
        } else resolve(m.outcome!);
      });
      this.peer.port.postMessage({ id, op });
    });
  }
}

/** What the lockstep programs did, for the report: steps per thread, operations that waited, and
 *  how many of those another thread completed. */
const lockstepStats = { steps: [0, 0, 0], parked: 0, crossThread: 0, selects: 0 };

async function runLockstep(seed: number, agents: Agent[]): Promise<void> {
  const rng = new Rng(seed);
  const K = rng.range(1, 3);
  const caps = Array.from({ length: K }, () => rng.int(4));
  const chans = caps.map((c) => chan<unknown>(c, { shared: true }));
  const model = caps.map((c) => new ModelChan(c));
  await Promise.all(agents.map((a) => a.attach(chans.map((ch) => ch.handle()))));
  const ops: AsyncOp[] = [];
  const log: string[] = [`caps=[${caps.join(",")}]`];
  const who = ["main", "w1", "w2"];
  let counter = 0;

  const fail = (msg: string): never => {
    throw new ModelFailure(`seed ${seed}: ${msg}\n  last steps:\n    ${log.slice(-14).join("\n    ")}`);
  };
  const check = (cond: boolean, msg: () => string): void => {
    if (!cond) fail(msg());
  };

  const newValue = (): unknown => {
    const n = ++counter;
    const r = rng.next();
    if (r < 0.06) return undefined;
    if (r < 0.1) return null;
    if (r < 0.2) return { n, s: "x".repeat(n % 5) };
    if (r < 0.25) return `s${n}`;
    return n;
  };

  /** Runs op on thread t: its outcome if it completed at once (within a turn), else undefined;
   *  an operation that waits records its outcome in `aop` when it completes. */
  const perform = async (t: number, op: Op, aop?: AsyncOp): Promise<Outcome | undefined> => {
    const settle = (o: Outcome) => {
      if (aop) aop.actual = o;
    };
    if (t === 0) {
      const r = roles.modelOp(chans, op, baton);
      if (r.sync !== undefined) return r.sync;
      let done: Outcome | undefined;
      r.promise!.then((o) => {
        done = o;
        settle(o);
      });
      await turn();
      return done;
    }
    const o = await agents[t - 1]!.run(nextRequest++, op, settle);
    if (o !== undefined) settle(o);
    return o;
  };

  /** Waits (bounded) until everything the model says has completed has settled where it ran,
   *  and the queues hold only the model's live waiters (a fired select of another thread leaves
   *  its other waiters until that thread tears them down), then compares everything. */
  /** The thread whose step completes a parked operation, per operation id (for the stats). */
  let actor = 0;
  const completedBy = new Map<number, number>();
  const settleAndCompare = async (): Promise<void> => {
    for (const op of ops) {
      if (op.expected !== undefined && op.parkedAt !== undefined && !completedBy.has(op.id)) {
        completedBy.set(op.id, actor);
        if (op.thread !== actor) lockstepStats.crossThread++;
      }
    }
    const quiet = (): boolean =>
      ops.every((op) => op.expected === undefined || op.actual !== undefined) &&
      model.every((m, c) => {
        const w = waiters(chans[c]!);
        return w.recv === liveCount(m.recvq) && w.send === liveCount(m.sendq);
      });
    for (let i = 0; i < 400 && !quiet(); i++) {
      await (i < 20 ? turn() : sleep(5));
    }
    for (const op of ops) {
      if (op.expected === undefined) {
        check(op.actual === undefined, () => `op #${op.id} ${op.desc}: the model says it waits, it ended ${showOutcome(op.actual)}`);
      } else {
        check(op.actual !== undefined && sameOutcome(op.expected, op.actual, op.anyOf),
          () => `op #${op.id} ${op.desc}: expected ${showOutcome(op.expected, op.anyOf)}, got ${showOutcome(op.actual)}`);
      }
    }
    for (let c = 0; c < K; c++) {
      const m = model[c]!, ch = chans[c]!;
      check(ch.len === m.buf.length, () => `ch${c}.len = ${ch.len}, model ${m.buf.length}`);
      const w = waiters(ch);
      check(w.recv === liveCount(m.recvq) && w.send === liveCount(m.sendq),
        () => `waiters(ch${c}) = ${JSON.stringify(w)}, model {recv:${liveCount(m.recvq)},send:${liveCount(m.sendq)}}`);
      const code = checkChan(ch);
      check(code === 0, () => `checkChan(ch${c}) = ${code}`);
    }
  };

  const track = (t: number, desc: string): AsyncOp => {
    const op: AsyncOp = { id: ops.length, thread: t, desc: `${who[t]}: ${desc}` };
    ops.push(op);
    return op;
  };

  const steps = rng.range(25, 60);
  for (let step = 0; step < steps; step++) {
    const t = rng.int(3);
    lockstepStats.steps[t]!++;
    actor = t;
    const kind = rng.weighted({
      trySend: 16, tryRecv: 16, send: 10, recvOk: 8, recv: 4, trySelect: 10, selectDefault: 5, select: 10, close: 2, len: 3,
    });
    const c = rng.int(K);
    const m = model[c]!;
    const at = `${step}: ${who[t]}: `;
    switch (kind) {
      case "trySend": {
        const v = newValue();
        log.push(`${at}ch${c}.trySend(${show(v)})`);
        const want = modelSend(m, v);
        const got = (await perform(t, { kind, c, v }))!;
        const exp: Outcome = want === "panic" ? SEND_ON_CLOSED : { value: want === "ok" };
        check(sameOutcome(exp, got), () => `${who[t]}: ch${c}.trySend: expected ${showOutcome(exp)}, got ${showOutcome(got)}`);
        break;
      }
      case "tryRecv": {
        log.push(`${at}ch${c}.tryRecv()`);
        const want = modelRecv(m);
        const got = (await perform(t, { kind, c }))!;
        const exp: Outcome = want === "block" ? { value: "would block" } : { value: want.v, ok: want.ok };
        check(sameOutcome(exp, got), () => `${who[t]}: ch${c}.tryRecv: expected ${showOutcome(exp)}, got ${showOutcome(got)}`);
        break;
      }
      case "close": {
        log.push(`${at}ch${c}.close()${m.closed ? " (again)" : ""}`);
        const exp: Outcome = m.closed ? CLOSE_OF_CLOSED : { value: undefined };
        if (!m.closed) modelClose(m);
        const got = (await perform(t, { kind, c }))!;
        check(sameOutcome(exp, got), () => `${who[t]}: ch${c}.close: expected ${showOutcome(exp)}, got ${showOutcome(got)}`);
        break;
      }
      case "len": {
        log.push(`${at}ch${c}.len, .cap`);
        const got = (await perform(t, { kind, c }))!;
        check(JSON.stringify(got.value) === JSON.stringify([m.buf.length, m.cap]),
          () => `${who[t]}: ch${c} [len, cap] = ${JSON.stringify(got.value)}, model [${m.buf.length}, ${m.cap}]`);
        break;
      }
      case "send": {
        const v = newValue();
        const desc = `ch${c}.send(${show(v)})`;
        log.push(at + desc);
        const aop = track(t, desc);
        const r = modelSend(m, v);
        if (r === "panic") aop.expected = SEND_ON_CLOSED;
        else if (r === "ok") aop.expected = { value: undefined };
        else {
          m.sendq.push({ op: aop, form: "send", caseIndex: -1, value: v });
          aop.parkedAt = step;
          lockstepStats.parked++;
        }
        await perform(t, { kind, c, v }, aop);
        break;
      }
      case "recv":
      case "recvOk": {
        const desc = `ch${c}.${kind}()`;
        log.push(at + desc);
        const aop = track(t, desc);
        const r = modelRecv(m);
        if (r === "block") {
          m.recvq.push({ op: aop, form: kind, caseIndex: -1, value: undefined });
          aop.parkedAt = step;
          lockstepStats.parked++;
        }
        else aop.expected = kind === "recv" ? { value: r.v } : { value: r.v, ok: r.ok };
        await perform(t, { kind, c }, aop);
        break;
      }
      case "trySelect":
      case "selectDefault":
      case "select": {
        const n = rng.chance(0.05) ? rng.range(4, 8) : rng.range(1, 3);
        const specs: SelectSpec[] = [];
        for (let i = 0; i < n; i++) {
          const cc = rng.chance(0.15) ? null : rng.int(K);
          const isSend = rng.chance(0.5);
          specs.push({ c: cc, send: isSend, v: isSend ? newValue() : undefined });
        }
        let mode: "block" | "default" | "try" = kind === "trySelect" ? "try" : kind === "selectDefault" ? "default" : "block";
        if (mode === "block" && specs.every((s) => s.c === null)) mode = "default"; // would never wake
        // Two send cases on one channel in a parked select: which value a receiver gets is open
        // in Go. Keep one (a select that does not wait reports its pick, so it keeps all).
        if (mode === "block")
          specs.forEach((s, i) => {
            if (s.send && s.c !== null && specs.findIndex((u) => u.send && u.c === s.c) < i) s.c = null;
          });
        const desc = `${mode} select([${specs
          .map((s) => (s.send ? `send(${s.c === null ? "nil" : `ch${s.c}`}, ${show(s.v)})` : `recv(${s.c === null ? "nil" : `ch${s.c}`})`))
          .join(", ")}])`;
        log.push(at + desc);
        const ready: number[] = [];
        specs.forEach((s, i) => {
          if (s.c !== null && (s.send ? canSend(model[s.c]!) : canRecv(model[s.c]!))) ready.push(i);
        });
        const closedSendReady = ready.some((i) => specs[i]!.send && model[specs[i]!.c!]!.closed);
        const op: Op = { kind: "select", mode, cases: specs };
        lockstepStats.selects++;
        const aop = mode === "try" ? undefined : track(t, desc);
        if (ready.length === 0) {
          if (mode === "block") {
            aop!.parkedAt = step;
            lockstepStats.parked++;
            const sel = { done: false };
            specs.forEach((s, i) => {
              if (s.c === null) return;
              const twins = specs.flatMap((u, j) => (u.c === s.c && !u.send ? [j] : []));
              const w: MWaiter = { op: aop!, form: "select", caseIndex: i, value: s.v, sel };
              if (!s.send && twins.length > 1) w.twins = twins;
              (s.send ? model[s.c].sendq : model[s.c].recvq).push(w);
            });
            await perform(t, op, aop);
          } else {
            const got = await perform(t, op, aop);
            const exp: Outcome = { index: -1, value: undefined };
            if (aop) aop.expected = exp;
            check(got !== undefined && sameOutcome(exp, got), () => `${who[t]}: ${desc}: nothing could proceed, got ${showOutcome(got)}`);
          }
          break;
        }
        const got = await perform(t, op, aop);
        if (got === undefined) return fail(`${who[t]}: ${desc}: cases [${ready}] could proceed, but it waits`);
        if (got.err !== undefined) {
          check(closedSendReady && got.err === SEND_ON_CLOSED.err && got.panic === true,
            () => `${who[t]}: ${desc} threw ${got.err}; ready cases [${ready}]`);
          if (aop) aop.expected = got;
          break;
        }
        const idx = got.index!;
        check(ready.includes(idx), () => `${who[t]}: ${desc}: chose case ${idx}, but the ready cases were [${ready}]`);
        const s = specs[idx]!;
        const mc = model[s.c!]!;
        let exp: Outcome;
        if (s.send) {
          check(!mc.closed, () => `${who[t]}: ${desc}: send case ${idx} on a closed channel fired instead of panicking`);
          check(modelSend(mc, s.v) === "ok", () => `${desc}: the model could not send`);
          exp = { index: idx, value: undefined };
        } else {
          const r = modelRecv(mc);
          if (r === "block") return fail(`${desc}: the model could not receive`);
          exp = { index: idx, value: r.v, ok: r.ok };
        }
        if (aop) aop.expected = exp;
        check(sameOutcome(exp, got), () => `${who[t]}: ${desc}: expected ${showOutcome(exp)}, got ${showOutcome(got)}`);
        break;
      }
    }
    await settleAndCompare();
  }

  // Close what is open (from main): every parked operation of every thread completes; then drain.
  actor = 0;
  for (let c = 0; c < K; c++) {
    if (model[c]!.closed) continue;
    log.push(`end: main: ch${c}.close()`);
    modelClose(model[c]!);
    chans[c]!.close();
  }
  await settleAndCompare();
  for (const op of ops) check(op.expected !== undefined, () => `op #${op.id} ${op.desc}: still parked in the model after close`);
  for (let c = 0; c < K; c++) {
    for (;;) {
      const want = modelRecv(model[c]!);
      const got = chans[c]!.tryRecv();
      if (want === "block") return fail("model: a closed channel would block");
      check(got !== undefined && sameValue(got[0], want.v) && got[1] === want.ok,
        () => `draining ch${c}: expected [${show(want.v)}, ${want.ok}], got ${got === undefined ? "undefined" : `[${show(got[0])}, ${got[1]}]`}`);
      if (!want.ok) break;
    }
  }
  await settleAndCompare();
}

// ---------------------------------------------------------------------------------------------
// 2. Concurrent programs
// ---------------------------------------------------------------------------------------------


const decode = (v: number) => ({ tid: Math.floor(v / 1e7), c: Math.floor((v % 1e7) / 1e6), seq: v % 1e6 });


async function runConcurrent(seed: number, peers: Peer[]): Promise<string[]> {
  const rng = new Rng(seed);
  const failures: string[] = [];
  const fail = (msg: string): void => {
    if (failures.length < 20) failures.push(`seed ${seed}: ${msg}`);
  };
  const K = rng.range(1, 3);
  const caps = Array.from({ length: K }, () => rng.int(4));
  const chans = caps.map((c) => chan<number>(c, { shared: true }));
  const handles = chans.map((ch) => ch.handle());
  const steps = [rng.range(20, 80), rng.range(20, 80), rng.range(20, 80)];
  const closeAfter = rng.int(15); // ms

  const results: Promise<ProgramResult>[] = peers.map(
    (p, i) =>
      new Promise<ProgramResult>((resolve) => {
        p.port.once("message", resolve);
        p.port.postMessage({
          chans: handles,
          args: { tid: i + 1, seed: seed * 31 + i + 1, steps: steps[i + 1] },
        });
      }),
  );
  let mainStep = 0;
  const mine = roles.modelProgram(chans, { tid: 0, seed: seed * 31, steps: steps[0]! }, baton, (i) => {
    mainStep = i;
    for (let c = 0; c < K; c++) {
      const code = checkChan(chans[c]!);
      if (code !== 0) fail(`checkChan(ch${c}) = ${code} after main's step ${i}`);
    }
  });
  // The closer: every channel is closed at a random moment, which ends every wait.
  await sleep(closeAfter);
  for (const ch of chans) ch.close();
  const all = [await mine, ...(await Promise.all(results.map((r, i) => within(r, 20_000, `seed ${seed}: worker ${i + 1}'s program`))))];
  for (const r of all) for (const e of r.errors) fail(e);

  // Drain what is left in the buffers (every program has ended: nothing races this).
  const drained = chans.map((ch, c) => {
    const out: number[] = [];
    for (let guard = 0; ; guard++) {
      const r = ch.tryRecv();
      if (r === undefined) {
        fail(`draining ch${c}: tryRecv would block on a closed channel`);
        break;
      }
      if (!r[1]) break;
      if (guard >= caps[c]!) {
        fail(`draining ch${c}: more values than its capacity ${caps[c]}`);
        break;
      }
      out.push(r[0]!);
    }
    return out;
  });

  for (let c = 0; c < K; c++) {
    const sent = new Set<number>();
    for (const r of all) for (const v of r.sent[c]!) sent.add(v);
    const got = new Map<number, number>();
    const maxSeen = new Map<number, number>(); // sender -> highest seq anyone received (before the drain)
    const receivers = [...all.map((r) => r.received[c]!), drained[c]!];
    receivers.forEach((list, who) => {
      const isDrain = who === all.length;
      const last = new Map<number, number>();
      for (const v of list) {
        const d = decode(v);
        if (d.c !== c) fail(`ch${c}: received ${v}, which was sent on ch${d.c}`);
        if (!sent.has(v)) fail(`ch${c}: received ${v}, whose send did not succeed`);
        got.set(v, (got.get(v) ?? 0) + 1);
        if ((last.get(d.tid) ?? 0) >= d.seq) fail(`ch${c}: receiver ${who} got thread ${d.tid}'s seq ${d.seq} after seq ${last.get(d.tid)}`);
        last.set(d.tid, d.seq);
        if (isDrain && (maxSeen.get(d.tid) ?? 0) >= d.seq)
          fail(`ch${c}: drained thread ${d.tid}'s seq ${d.seq}, but seq ${maxSeen.get(d.tid)} was received before`);
      }
      if (!isDrain) for (const [tid, s] of last) maxSeen.set(tid, Math.max(maxSeen.get(tid) ?? 0, s));
    });
    for (const [v, n] of got) if (n !== 1) fail(`ch${c}: ${v} received ${n} times`);
    for (const v of sent) if (!got.has(v)) fail(`ch${c}: ${v} was sent and never received`);
  }
  for (let i = 0; i < 100 && chans.some((ch) => waiters(ch).recv + waiters(ch).send > 0); i++) await sleep(2);
  chans.forEach((ch, c) => {
    const w = waiters(ch);
    if (w.recv !== 0 || w.send !== 0) fail(`waiters(ch${c}) = ${JSON.stringify(w)} after the programs`);
    const code = checkChan(ch);
    if (code !== 0) fail(`checkChan(ch${c}) = ${code} after the programs`);
  });
  if (mainStep !== steps[0]! - 1) fail(`main's program ran ${mainStep + 1} of ${steps[0]} steps`);
  return failures;
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  roles = (await import(ROLES)) as Roles;
});

const timings: string[] = [];
afterAll(() => {
  if (timings.length > 0) console.log(timings.join("\n"));
});

describe("shared channels across threads against a reference model (lockstep)", () => {
  it(`agrees with a plain model of Go channels on ${ONLY_SEED !== undefined ? 1 : SEEDS} random programs over main and 2 workers`, { timeout: 120_000 }, async () => {
    const agents = [new Agent(), new Agent()];
    const t0 = performance.now();
    try {
      for (const seed of seeds(1)) {
        try {
          await runLockstep(seed, agents);
        } catch (e) {
          if (e instanceof ModelFailure) expect.fail(e.message);
          throw new Error(`seed ${seed}: ${String(e)}`, { cause: e });
        }
      }
    } finally {
      await Promise.all(agents.map((a) => stopPeer(a.peer)));
    }
    const st = lockstepStats;
    timings.push(
      `lockstep: ${SEEDS} programs in ${((performance.now() - t0) / 1000).toFixed(2)} s; steps by main/w1/w2 ${st.steps.join("/")}, ` +
        `${st.selects} selects, ${st.parked} operations waited, ${st.crossThread} of them completed by another thread`,
    );
    expect(heapCheck()).toBe(0);
  });
});

describe("concurrent random programs on main and 2 workers", () => {
  it(`lose nothing, duplicate nothing, keep per-sender FIFO, respect close, leave no waiter (${ONLY_SEED !== undefined ? 1 : SEEDS} programs)`, { timeout: 120_000 }, async () => {
    const peers = [startPeer("modelPrograms"), startPeer("modelPrograms")];
    const t0 = performance.now();
    const all: string[] = [];
    try {
      for (const seed of seeds(5001)) {
        all.push(...(await runConcurrent(seed, peers)));
        if (all.length > 0) break;
      }
    } finally {
      await Promise.all(peers.map(stopPeer));
    }
    expect(all, all.join("\n")).toEqual([]);
    timings.push(`concurrent: ${SEEDS} programs in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    expect(heapCheck()).toBe(0);
  });
});

describe("a select that another thread fires leaves no waiter behind", () => {
  // The steps of the lockstep model's seed 133, which found a bug: main's select, fired by a
  // worker's send, tore itself down while the worker still held the channel's lock, deferred the
  // teardown (T_DEFERRED), and main's idle loop went to sleep with it pending, its waiter on ch0
  // left in the queue (it failed one round in six to forty here). Since deliver posts completions
  // after unlocking, these steps pass; the deferral itself can still stall (stress.test.ts, "a
  // select that another thread fires, torn down while another thread keeps a channel's lock
  // busy"). Kept as a regression test.
  it("its other cases leave their queues at once, round after round (seed 133's steps, 200 rounds)", { timeout: 60_000 }, async () => {
    const agents = [new Agent(), new Agent()];
    const [w1, w2] = agents as [Agent, Agent];
    const run = (a: Agent, op: Op) => a.run(nextRequest++, op, () => {});
    const stale: string[] = [];
    try {
      for (let round = 0; round < 200 && stale.length === 0; round++) {
        const ch0 = chan<unknown>(3, { shared: true }), ch1 = chan<unknown>(3, { shared: true });
        await Promise.all(agents.map((a) => a.attach([ch0.handle(), ch1.handle()])));
        await run(w2, { kind: "recvOk", c: 1 });
        await run(w1, { kind: "recvOk", c: 0 });
        await run(w1, { kind: "recv", c: 0 });
        const sel = baton.select([baton.recv(ch1), baton.recv(ch0), baton.recv(ch1)]);
        await turn();
        await run(w1, { kind: "select", mode: "block", cases: [{ c: null, send: false }, { c: 0, send: false }] });
        await run(w2, { kind: "trySend", c: 1, v: undefined });
        await run(w1, { kind: "tryRecv", c: 1 });
        const r = ch1.recv();
        await turn();
        await run(w2, { kind: "send", c: 1, v: { n: 5 } }); // fires main's select: case 0 or 2
        expect([0, 2]).toContain(await sel);
        // Left parked: w1's two receives and select on ch0; main's receive on ch1.
        const t0 = performance.now();
        while ((waiters(ch0).recv !== 3 || waiters(ch1).recv !== 1) && performance.now() - t0 < 1000) await sleep(2);
        if (waiters(ch0).recv !== 3 || waiters(ch1).recv !== 1) {
          stale.push(`round ${round}: waiters(ch0) ${JSON.stringify(waiters(ch0))} (want 3 receivers), waiters(ch1) ${JSON.stringify(waiters(ch1))} (want 1) after 1 s`);
        }
        ch0.close();
        ch1.close();
        await r;
      }
    } finally {
      await Promise.all(agents.map((a) => stopPeer(a.peer)));
    }
    expect(stale).toEqual([]);
  });
});
