// Seeded randomized tests of channels and select.
//
// 1. A reference model. A single-threaded random sequence of channel operations (trySend, tryRecv,
//    close, len/cap, trySelect, select with default, and parked send/recv/recvOk/select whose
//    promises settle later) runs against baton and, step by step, against a plain JS model of a Go
//    channel (buffer array, closed flag, FIFO queues of parked senders and receivers, selects that
//    park on several queues and fire once). Every result is compared: return values, thrown and
//    rejected PanicErrors, which parked operation got which value, len, cap, and waiters(ch) after
//    every step. Where several select cases can proceed, baton picks; the model checks the pick was
//    ready and then follows it.
// 2. Random concurrent programs. K channels of capacity 0..3, M goroutines doing random operations
//    with uniquely tagged values (send, recv, recvOk, trySend, tryRecv, a range loop left early,
//    select over 1-3 cases, now and then up to 24, with nil channels, blocking, with default or
//    as trySelect), and a closer goroutine that closes every channel at a random moment. Checked: nothing received twice or on the wrong channel; after closing and draining,
//    every value whose send succeeded was received exactly once and nothing else was; each
//    receiver sees each sender's values on a channel in the order sent; no waiter or goroutine is
//    left behind.
//
// Every failure message names the seed: rerun it with SEED=<n> to reproduce one program alone;
// SEEDS=<n> runs n programs of each kind instead of 500.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  chan, recv, send, select, trySelect, go, gosched, numGoroutine, setPanicHandler, PanicError,
} from "../src/index.js";
import type { Chan, RecvCase, SendCase } from "../src/index.js";
import { seedCore, waiters, checkChan } from "../src/debug.js";
import { Rng, flush, within } from "./helpers/util.js";

const ONLY_SEED = process.env.SEED !== undefined ? Number(process.env.SEED) : undefined;
const SEEDS = process.env.SEEDS !== undefined ? Number(process.env.SEEDS) : 500;
const seeds = (base: number): number[] =>
  ONLY_SEED !== undefined ? [ONLY_SEED] : Array.from({ length: SEEDS }, (_, i) => base + i);

const isPanic = (e: unknown, message: string): boolean =>
  e instanceof PanicError && e instanceof Error && e.message === message;

const show = (v: unknown): string =>
  v === undefined ? "undefined" : typeof v === "object" && v !== null ? `{n:${(v as { n: number }).n}}` : String(v);

// ---------------------------------------------------------------------------------------------
// 1. Reference model
// ---------------------------------------------------------------------------------------------

/** How an operation ended, as seen by the caller. */
type Outcome =
  | { kind: "resolved"; value: unknown; ok?: boolean; index?: number; anyOf?: number[] }
  | { kind: "rejected"; panic: boolean; message: string };

const showOutcome = (o: Outcome | undefined): string => {
  if (o === undefined) return "pending";
  if (o.kind === "rejected") return `rejected(${o.panic ? "PanicError" : "Error"}: ${o.message})`;
  const parts = [];
  if (o.anyOf !== undefined) parts.push(`index in [${o.anyOf}]`);
  else if (o.index !== undefined) parts.push(`index=${o.index}`);
  parts.push(`value=${show(o.value)}`);
  if (o.ok !== undefined) parts.push(`ok=${o.ok}`);
  return `resolved(${parts.join(", ")})`;
};

const sameOutcome = (a: Outcome, b: Outcome): boolean => {
  if (a.kind !== b.kind) return false;
  if (a.kind === "rejected" && b.kind === "rejected") return a.panic === b.panic && a.message === b.message;
  if (a.kind === "resolved" && b.kind === "resolved")
    return (
      Object.is(a.value, b.value) &&
      a.ok === b.ok &&
      (a.anyOf !== undefined ? b.index !== undefined && a.anyOf.includes(b.index) : a.index === b.index)
    );
  return false;
};

/** An operation whose promise may settle after the step that started it. */
interface AsyncOp {
  id: number;
  desc: string;
  expected?: Outcome;
  actual?: Outcome;
}

/** A parked operation in one model queue; a select has one per non-nil case, sharing `sel`. */
interface MWaiter {
  op: AsyncOp;
  form: "send" | "recv" | "recvOk" | "select";
  caseIndex: number;
  value: unknown;
  sel?: { done: boolean };
  /** Receive cases of the same select on the same channel: Go leaves open which of them fires
   *  (selectgo parks them in lock order), so any of these indexes is right. */
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

/** Wakes a parked receiver (or select recv case) with (v, ok). */
function wakeRecv(w: MWaiter, v: unknown, ok: boolean): void {
  if (w.sel) {
    w.sel.done = true;
    w.op.expected = { kind: "resolved", index: w.caseIndex, value: v, ok, anyOf: w.twins };
  } else if (w.form === "recvOk") {
    w.op.expected = { kind: "resolved", value: v, ok };
  } else {
    w.op.expected = { kind: "resolved", value: v };
  }
}

/** Completes a parked sender (or select send case): it either succeeded or the channel closed. */
function wakeSend(w: MWaiter, closed: boolean): void {
  if (w.sel) w.sel.done = true;
  if (closed) w.op.expected = { kind: "rejected", panic: true, message: "send on closed channel" };
  else if (w.sel) w.op.expected = { kind: "resolved", index: w.caseIndex, value: undefined };
  else w.op.expected = { kind: "resolved", value: undefined };
}

/** chansend without blocking: "panic", "ok" (handed off or buffered), or "block". */
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

/** chanrecv without blocking: the value and ok, or "block". */
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
// A send case on a closed channel "can proceed": choosing it panics.
const canSend = (m: ModelChan): boolean => m.closed || liveCount(m.recvq) > 0 || m.buf.length < m.cap;

interface CaseSpec {
  c: number | null;
  dir: "recv" | "send";
  value: unknown;
}

class ModelFailure extends Error {}

async function runModel(seed: number): Promise<void> {
  const rng = new Rng(seed);
  seedCore(seed);
  const K = rng.range(1, 3);
  const caps = Array.from({ length: K }, () => rng.int(4));
  const chans: Chan<unknown>[] = caps.map((c) => chan<unknown>(c));
  const model = caps.map((c) => new ModelChan(c));
  const ops: AsyncOp[] = [];
  const log: string[] = [`caps=[${caps.join(",")}]`];
  let counter = 0;

  const fail = (msg: string): never => {
    throw new ModelFailure(`seed ${seed}: ${msg}\n  last steps:\n    ${log.slice(-12).join("\n    ")}`);
  };
  const check = (cond: boolean, msg: () => string): void => {
    if (!cond) fail(msg());
  };

  const newValue = (): unknown => {
    const n = ++counter;
    const r = rng.next();
    if (r < 0.08) return undefined;
    if (r < 0.13) return null;
    if (r < 0.23) return { n };
    return n;
  };

  const track = (desc: string, p: Promise<unknown>, settle: (v: unknown) => Outcome): AsyncOp => {
    const op: AsyncOp = { id: ops.length, desc };
    ops.push(op);
    p.then(
      (v) => {
        op.actual = settle(v);
      },
      (e: unknown) => {
        op.actual = { kind: "rejected", panic: e instanceof PanicError, message: (e as Error)?.message };
      },
    );
    return op;
  };

  /** Calls a synchronous operation, returning its result or what it threw. */
  const attempt = <T>(f: () => T): { threw: false; v: T } | { threw: true; e: unknown } => {
    try {
      return { threw: false, v: f() };
    } catch (e) {
      return { threw: true, e };
    }
  };

  const compareAll = (): void => {
    for (const op of ops) {
      if (op.expected === undefined) {
        check(op.actual === undefined, () => `op #${op.id} ${op.desc}: model says still parked, got ${showOutcome(op.actual)}`);
      } else {
        check(
          op.actual !== undefined && sameOutcome(op.expected, op.actual),
          () => `op #${op.id} ${op.desc}: expected ${showOutcome(op.expected)}, got ${showOutcome(op.actual)}`,
        );
      }
    }
    for (let c = 0; c < K; c++) {
      const m = model[c];
      check(chans[c].len === m.buf.length, () => `ch${c}.len = ${chans[c].len}, model ${m.buf.length}`);
      check(chans[c].cap === m.cap, () => `ch${c}.cap = ${chans[c].cap}, model ${m.cap}`);
      const w = waiters(chans[c]);
      const wr = liveCount(m.recvq), ws = liveCount(m.sendq);
      check(w.recv === wr && w.send === ws, () => `waiters(ch${c}) = ${JSON.stringify(w)}, model {recv:${wr},send:${ws}}`);
      // The core's own walker of the channel's ring and queues (assembly/check.ts).
      const bad = checkChan(chans[c]);
      check(bad === 0, () => `checkChan(ch${c}) = ${bad}: an invariant of assembly/chan.ts is broken`);
    }
  };

  /** Performs ready case `idx` (chosen by baton) on the model; returns the outcome it implies. */
  const applyCase = (specs: CaseSpec[], ready: number[], idx: number, where: string): Outcome => {
    check(ready.includes(idx), () => `${where}: chose case ${idx}, but the ready cases were [${ready}]`);
    const s = specs[idx];
    const m = model[s.c!];
    if (s.dir === "recv") {
      const r = modelRecv(m);
      if (r === "block") return fail(`${where}: model could not receive`);
      return { kind: "resolved", index: idx, value: r.v, ok: r.ok };
    }
    check(!m.closed, () => `${where}: send case ${idx} on a closed channel fired instead of panicking`);
    check(modelSend(m, s.value) === "ok", () => `${where}: model could not send`);
    return { kind: "resolved", index: idx, value: undefined };
  };

  const caseOutcome = (cases: (RecvCase<unknown> | SendCase<unknown>)[], specs: CaseSpec[], idx: number): Outcome => {
    if (idx < 0 || idx >= specs.length || specs[idx].dir === "send") return { kind: "resolved", index: idx, value: undefined };
    const rc = cases[idx] as RecvCase<unknown>;
    return { kind: "resolved", index: idx, value: rc.value, ok: rc.ok };
  };

  const steps = rng.range(30, 80);
  for (let step = 0; step < steps; step++) {
    const op = rng.weighted({
      trySend: 18, tryRecv: 18, send: 10, recvOk: 8, recv: 4, trySelect: 12, selectDefault: 5,
      select: 9, close: 2,
    });
    const c = rng.int(K);
    const ch = chans[c];
    const m = model[c];
    switch (op) {
      case "trySend": {
        const v = newValue();
        log.push(`${step}: ch${c}.trySend(${show(v)})`);
        const want = modelSend(m, v);
        const got = attempt(() => ch.trySend(v));
        if (want === "panic") {
          check(got.threw && isPanic(got.e, "send on closed channel"),
            () => `trySend on closed ch${c}: expected PanicError("send on closed channel"), got ${got.threw ? String(got.e) : got.v}`);
        } else {
          check(!got.threw && got.v === (want === "ok"),
            () => `ch${c}.trySend: expected ${want === "ok"}, got ${got.threw ? `throw ${String(got.e)}` : got.v}`);
        }
        break;
      }
      case "tryRecv": {
        log.push(`${step}: ch${c}.tryRecv()`);
        const want = modelRecv(m);
        const got = attempt(() => ch.tryRecv());
        check(!got.threw, () => `ch${c}.tryRecv threw ${got.threw ? String(got.e) : ""}`);
        const v = (got as { v: [unknown, boolean] | undefined }).v;
        if (want === "block") check(v === undefined, () => `ch${c}.tryRecv: expected undefined, got ${JSON.stringify(v)}`);
        else
          check(Array.isArray(v) && v.length === 2 && Object.is(v[0], want.v) && v[1] === want.ok,
            () => `ch${c}.tryRecv: expected [${show(want.v)}, ${want.ok}], got ${v === undefined ? "undefined" : `[${show(v[0])}, ${v[1]}]`}`);
        break;
      }
      case "close": {
        log.push(`${step}: ch${c}.close()${m.closed ? " (again)" : ""}`);
        const wasClosed = m.closed;
        if (!wasClosed) modelClose(m);
        const got = attempt(() => ch.close());
        if (wasClosed)
          check(got.threw && isPanic(got.e, "close of closed channel"),
            () => `second close of ch${c}: expected PanicError("close of closed channel"), got ${got.threw ? String(got.e) : "no error"}`);
        else check(!got.threw, () => `close of ch${c} threw ${got.threw ? String(got.e) : ""}`);
        break;
      }
      case "send": {
        const v = newValue();
        const desc = `ch${c}.send(${show(v)})`;
        log.push(`${step}: ${desc}`);
        const aop = track(desc, ch.send(v), () => ({ kind: "resolved", value: undefined }));
        const r = modelSend(m, v);
        if (r === "panic") aop.expected = { kind: "rejected", panic: true, message: "send on closed channel" };
        else if (r === "ok") aop.expected = { kind: "resolved", value: undefined };
        else m.sendq.push({ op: aop, form: "send", caseIndex: -1, value: v });
        break;
      }
      case "recv":
      case "recvOk": {
        const desc = `ch${c}.${op}()`;
        log.push(`${step}: ${desc}`);
        const aop =
          op === "recv"
            ? track(desc, ch.recv(), (v) => ({ kind: "resolved", value: v }))
            : track(desc, ch.recvOk(), (v) => {
                const [x, ok] = v as [unknown, boolean];
                return { kind: "resolved", value: x, ok };
              });
        const r = modelRecv(m);
        if (r === "block") m.recvq.push({ op: aop, form: op, caseIndex: -1, value: undefined });
        else aop.expected = op === "recv" ? { kind: "resolved", value: r.v } : { kind: "resolved", value: r.v, ok: r.ok };
        break;
      }
      case "trySelect":
      case "selectDefault":
      case "select": {
        const n = rng.chance(0.05) ? rng.range(4, 24) : rng.range(1, 3); // now and then a wide select
        const specs: CaseSpec[] = [];
        for (let i = 0; i < n; i++) {
          const cc = rng.chance(0.15) ? null : rng.int(K);
          const dir = rng.chance(0.5) ? "recv" : "send";
          specs.push({ c: cc, dir, value: dir === "send" ? newValue() : undefined });
        }
        let mode = op;
        if (mode === "select" && specs.every((s) => s.c === null)) mode = "selectDefault"; // would never wake
        // Two send cases on one channel in a parked select: which value a receiver gets is open
        // in Go. Keep one (trySelect and select with default report their pick, so they keep all).
        if (mode === "select")
          specs.forEach((s, i) => {
            if (s.dir === "send" && specs.findIndex((t) => t.dir === "send" && t.c === s.c && s.c !== null) < i) s.c = null;
          });
        const cases = specs.map((s) =>
          s.dir === "recv" ? recv(s.c === null ? null : chans[s.c]) : send(s.c === null ? null : chans[s.c], s.value),
        );
        const desc = `${mode}([${specs
          .map((s) => (s.dir === "recv" ? `recv(${s.c === null ? "nil" : `ch${s.c}`})` : `send(${s.c === null ? "nil" : `ch${s.c}`}, ${show(s.value)})`))
          .join(", ")}])`;
        log.push(`${step}: ${desc}`);
        const ready: number[] = [];
        specs.forEach((s, i) => {
          if (s.c !== null && (s.dir === "recv" ? canRecv(model[s.c]) : canSend(model[s.c]))) ready.push(i);
        });
        const closedSendReady = ready.some((i) => specs[i].dir === "send" && model[specs[i].c!].closed);

        if (mode === "trySelect") {
          const got = attempt(() => trySelect(cases));
          if (got.threw) {
            check(closedSendReady && isPanic(got.e, "send on closed channel"),
              () => `${desc} threw ${String(got.e)}; ready cases [${ready}]`);
          } else if (ready.length === 0) {
            check(got.v === -1, () => `${desc}: nothing could proceed, got ${got.v}`);
          } else {
            const want = applyCase(specs, ready, got.v, desc);
            const have = caseOutcome(cases, specs, got.v);
            check(sameOutcome(want, have), () => `${desc}: expected ${showOutcome(want)}, got ${showOutcome(have)}`);
          }
          break;
        }

        // select with or without default: the promise settles after a flush.
        const p = mode === "selectDefault" ? select(cases, { default: true }) : select(cases);
        const aop = track(desc, p, (i) => caseOutcome(cases, specs, i as number));
        if (ready.length === 0) {
          if (mode === "selectDefault") {
            aop.expected = { kind: "resolved", index: -1, value: undefined };
          } else {
            const sel = { done: false };
            specs.forEach((s, i) => {
              if (s.c === null) return;
              const twins = specs.flatMap((t, j) => (t.c === s.c && t.dir === "recv" ? [j] : []));
              const w: MWaiter = { op: aop, form: "select", caseIndex: i, value: s.value, sel };
              if (s.dir === "recv" && twins.length > 1) w.twins = twins;
              (s.dir === "recv" ? model[s.c].recvq : model[s.c].sendq).push(w);
            });
          }
          break;
        }
        await flush();
        const got = aop.actual;
        if (got === undefined) return fail(`${desc}: cases [${ready}] could proceed, but the select did not complete`);
        if (got.kind === "rejected") {
          check(closedSendReady && got.panic && got.message === "send on closed channel",
            () => `${desc}: rejected with ${got.message}; ready cases [${ready}]`);
          aop.expected = got;
        } else {
          aop.expected = applyCase(specs, ready, got.index!, desc);
        }
        break;
      }
    }
    await flush();
    compareAll();
  }

  // Close everything: every parked operation completes; then drain what is buffered.
  for (let c = 0; c < K; c++) {
    if (model[c].closed) continue;
    log.push(`end: ch${c}.close()`);
    modelClose(model[c]);
    chans[c].close();
  }
  await flush();
  compareAll();
  for (const op of ops) check(op.expected !== undefined, () => `op #${op.id} ${op.desc}: still parked in the model after close`);
  for (let c = 0; c < K; c++) {
    for (;;) {
      const want = modelRecv(model[c]);
      const got = chans[c].tryRecv();
      if (want === "block") return fail("model: closed channel would block");
      check(got !== undefined && Object.is(got[0], want.v) && got[1] === want.ok,
        () => `draining ch${c}: expected [${show(want.v)}, ${want.ok}], got ${got === undefined ? "undefined" : `[${show(got[0])}, ${got[1]}]`}`);
      if (!want.ok) break;
    }
  }
  compareAll();
}

// ---------------------------------------------------------------------------------------------
// 2. Random concurrent programs
// ---------------------------------------------------------------------------------------------

const SEQ = 1_000_000; // a tagged value is sender * SEQ + seq, seq counting up from 1 per sender

async function runProgram(seed: number): Promise<string[]> {
  const rng = new Rng(seed);
  seedCore(seed);
  const failures: string[] = [];
  const fail = (msg: string): void => {
    if (failures.length < 20) failures.push(`seed ${seed}: ${msg}`);
  };

  const K = rng.range(1, 4);
  const caps = Array.from({ length: K }, () => rng.int(4));
  const chans = caps.map((c) => chan<number>(c));
  const closed = new Array<boolean>(K).fill(false);
  const M = rng.range(2, 6);
  const nextSeq = new Array<number>(M).fill(0);
  const attempted = new Map<number, number>(); // value -> channel it was offered on (-1: nil)
  const sent = new Set<number>(); // values whose send succeeded
  const received = new Map<number, number>(); // value -> times received
  const maxSeen = new Map<string, number>(); // `${ch}:${sender}` -> highest seq received by anyone

  const tag = (g: number, c: number): number => {
    const v = g * SEQ + ++nextSeq[g];
    attempted.set(v, c);
    return v;
  };

  /** Records a receive of (v, ok) on channel c by a receiver whose FIFO state is `last`. */
  const onRecv = (c: number, v: unknown, ok: boolean, last: Map<string, number>, strict = false): void => {
    if (!ok) {
      if (v !== undefined) fail(`ok=false with value ${String(v)} on ch${c}`);
      if (!closed[c]) fail(`ok=false on ch${c}, which is open`);
      return;
    }
    if (typeof v !== "number") return fail(`received non-value ${String(v)} on ch${c}`);
    const from = attempted.get(v);
    if (from === undefined) return fail(`received ${v} on ch${c}, never sent`);
    if (from !== c) return fail(`received ${v} on ch${c}, but it was offered on ch${from}`);
    const times = (received.get(v) ?? 0) + 1;
    received.set(v, times);
    if (times > 1) fail(`received ${v} ${times} times`);
    const sender = Math.floor(v / SEQ), seq = v % SEQ, key = `${c}:${sender}`;
    const prev = last.get(key) ?? 0;
    if (seq <= prev) fail(`FIFO: on ch${c} from sender ${sender}, received seq ${seq} after seq ${prev}`);
    last.set(key, seq);
    const max = maxSeen.get(key) ?? 0;
    if (strict && seq <= max) fail(`FIFO: drained seq ${seq} of sender ${sender} on ch${c}, but seq ${max} was received before`);
    if (seq > max) maxSeen.set(key, seq);
  };

  const checkSendError = (e: unknown, c: number, what: string): void => {
    if (!isPanic(e, "send on closed channel")) fail(`${what} on ch${c}: unexpected error ${String(e)}`);
    else if (!closed[c]) fail(`${what} on ch${c} rejected but the channel is open`);
  };

  async function worker(g: number): Promise<void> {
    const r = new Rng(seed * 7919 + g + 1);
    const last = new Map<string, number>();
    const n = r.range(10, 60);
    for (let i = 0; i < n; i++) {
      const op = r.weighted({ send: 4, recv: 3, recvOk: 2, trySend: 3, tryRecv: 3, select: 6, range: 1, gosched: 2, len: 1 });
      const c = r.int(K);
      const ch = chans[c];
      switch (op) {
        case "send": {
          if (closed[c] && !r.chance(0.2)) break; // senders stop, mostly, once the closer has closed
          const v = tag(g, c);
          const wasClosed = closed[c];
          try {
            await ch.send(v);
            if (wasClosed) fail(`send(${v}) on closed ch${c} resolved`);
            sent.add(v);
          } catch (e) {
            checkSendError(e, c, `send(${v})`);
          }
          break;
        }
        case "recv": {
          const v = await ch.recv();
          onRecv(c, v, v !== undefined, last);
          break;
        }
        case "recvOk": {
          const [v, ok] = await ch.recvOk();
          onRecv(c, v, ok, last);
          break;
        }
        case "trySend": {
          if (closed[c] && !r.chance(0.2)) break;
          const v = tag(g, c);
          let ok: boolean;
          try {
            ok = ch.trySend(v);
          } catch (e) {
            checkSendError(e, c, `trySend(${v})`);
            break;
          }
          if (closed[c]) fail(`trySend(${v}) on closed ch${c} returned ${ok} instead of panicking`);
          if (ok) sent.add(v);
          break;
        }
        case "tryRecv": {
          const res = ch.tryRecv();
          if (res === undefined) {
            if (closed[c]) fail(`tryRecv on closed ch${c} returned undefined (would block)`);
          } else {
            onRecv(c, res[0], res[1], last);
          }
          break;
        }
        case "select": {
          const n = r.chance(0.05) ? r.range(4, 24) : r.range(1, 3);
          const specs: CaseSpec[] = [];
          for (let k = 0; k < n; k++) {
            const cc = r.chance(0.15) ? null : r.int(K);
            let dir: "recv" | "send" = r.chance(0.5) ? "recv" : "send";
            if (dir === "send" && cc !== null && closed[cc] && !r.chance(0.2)) dir = "recv";
            specs.push({ c: cc, dir, value: dir === "send" ? tag(g, cc ?? -1) : undefined });
          }
          let mode = r.weighted({ block: 5, default: 2, try: 2 });
          if (mode === "block" && specs.every((s) => s.c === null)) mode = "default";
          const cases = specs.map((s) =>
            s.dir === "recv" ? recv(s.c === null ? null : chans[s.c]) : send(s.c === null ? null : chans[s.c], s.value as number),
          );
          const closedBefore = specs.map((s) => s.c !== null && closed[s.c]);
          let idx: number;
          try {
            idx = mode === "try" ? trySelect(cases) : mode === "default" ? await select(cases, { default: true }) : await select(cases);
          } catch (e) {
            const culprit = specs.findIndex((s) => s.dir === "send" && s.c !== null && closed[s.c]);
            if (culprit < 0) fail(`${mode} select threw ${String(e)} with no send case on a closed channel`);
            else checkSendError(e, specs[culprit].c!, `${mode} select`);
            break;
          }
          if (idx === -1) {
            if (mode === "block") fail("select without default resolved to -1");
            if (closedBefore.some((x) => x)) fail(`${mode} select returned -1 with a case on a closed channel`);
            break;
          }
          if (!(idx >= 0 && idx < n)) {
            fail(`${mode} select returned ${idx} for ${n} cases`);
            break;
          }
          const s = specs[idx];
          if (s.c === null) {
            fail(`${mode} select fired nil case ${idx}`);
            break;
          }
          if (s.dir === "recv") {
            const rc = cases[idx] as RecvCase<number>;
            onRecv(s.c, rc.value, rc.ok, last);
          } else {
            if (closedBefore[idx]) fail(`${mode} select fired a send case on closed ch${s.c}`);
            sent.add(s.value as number);
          }
          break;
        }
        case "range": {
          // for v := range ch, left early after k values: leaving loses nothing, closes nothing.
          const k = r.range(1, 3);
          let got = 0;
          for await (const v of ch) {
            onRecv(c, v, true, last);
            if (++got >= k) break;
          }
          if (got < k && !closed[c]) fail(`range over ch${c} ended while it is open`);
          break;
        }
        case "gosched":
          await gosched();
          break;
        case "len": {
          const l = ch.len;
          if (!(Number.isInteger(l) && l >= 0 && l <= caps[c])) fail(`ch${c}.len = ${l} with cap ${caps[c]}`);
          if (ch.cap !== caps[c]) fail(`ch${c}.cap = ${ch.cap}, want ${caps[c]}`);
          break;
        }
      }
    }
  }

  async function closer(): Promise<void> {
    const r = new Rng(seed ^ 0x5bd1e995);
    for (const c of r.shuffle([...Array(K).keys()])) {
      const rounds = r.int(40);
      for (let i = 0; i < rounds; i++) await gosched();
      closed[c] = true;
      chans[c].close();
      if (r.chance(0.1)) {
        try {
          chans[c].close();
          fail(`second close of ch${c} did not throw`);
        } catch (e) {
          if (!isPanic(e, "close of closed channel")) fail(`second close of ch${c}: ${String(e)}`);
        }
      }
    }
  }

  const base = numGoroutine();
  let remaining = M + 1;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const wrap = (fn: () => Promise<void>) => async (): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      fail(`goroutine threw ${String(e)}`);
    } finally {
      if (--remaining === 0) finished();
    }
  };
  for (let g = 0; g < M; g++) go(wrap(() => worker(g)));
  go(wrap(closer));
  if (numGoroutine() !== base + M + 1) fail(`numGoroutine() = ${numGoroutine()} after starting ${M + 1}, base ${base}`);
  await within(done, 5000, `seed ${seed}: goroutines did not all finish (lost wake-up?)`);

  // Drain: every channel is closed, so tryRecv never blocks; buffered values come out in order.
  for (let c = 0; c < K; c++) {
    const last = new Map<string, number>();
    for (let guard = 0; ; guard++) {
      const res = chans[c].tryRecv();
      if (res === undefined) {
        fail(`draining closed ch${c}: tryRecv returned undefined`);
        break;
      }
      if (!res[1]) break;
      if (guard > caps[c]) {
        fail(`draining ch${c}: more values than its capacity ${caps[c]}`);
        break;
      }
      onRecv(c, res[0], true, last, true);
    }
    if (chans[c].len !== 0) fail(`ch${c}.len = ${chans[c].len} after draining`);
  }

  for (const v of sent) if (received.get(v) !== 1) fail(`lost: ${v} was sent on ch${attempted.get(v)} and never received`);
  for (const v of received.keys()) if (!sent.has(v)) fail(`received ${v}, whose send did not succeed`);
  await flush();
  for (let c = 0; c < K; c++) {
    const w = waiters(chans[c]);
    if (w.recv !== 0 || w.send !== 0) fail(`waiters(ch${c}) = ${JSON.stringify(w)} after the program`);
  }
  if (numGoroutine() !== base) fail(`numGoroutine() = ${numGoroutine()} after the program, base ${base}`);
  return failures;
}

// ---------------------------------------------------------------------------------------------

let panics: string[] = [];
beforeEach(() => {
  panics = [];
  setPanicHandler((e: unknown) => panics.push(String(e)));
});
afterEach(() => {
  setPanicHandler(null);
});

describe("reference model (single-threaded, step by step)", () => {
  it(`agrees with a plain JS model of Go channels on ${SEEDS} random programs`, async () => {
    for (const seed of seeds(1)) {
      try {
        await runModel(seed);
      } catch (e) {
        if (e instanceof ModelFailure) expect.fail(e.message);
        throw new Error(`seed ${seed}: ${String(e)}`, { cause: e });
      }
    }
    expect(panics).toEqual([]);
  });
});

describe("random concurrent programs", () => {
  it(`lose nothing, duplicate nothing, keep per-sender FIFO and leave no waiter (${SEEDS} programs)`, async () => {
    const all: string[] = [];
    for (const seed of seeds(1001)) {
      all.push(...(await runProgram(seed)));
      if (all.length > 0) break;
    }
    expect(all, all.join("\n")).toEqual([]);
    expect(panics).toEqual([]);
  });
});
