// select: the JS side of assembly/select.ts. The cases are written into the core's scratch block
// for this thread (a shared channel's send case with a copy of its value), the core polls them in
// a random order and, if none can proceed and the select may wait, parks one waiter per case
// under a single slot. The first peer to take any of them fires the select and the core tears
// down the rest (selCleanup), so a select that did not fire leaves nothing behind. A case that
// fires is finished by the same Chan.sendDone and Chan.recvDone as Chan's own methods.

import {
  core, T, ensureCore, words, wordsTo, CTX, CTX_SCRATCH, CTX_SEL_CASE, peekToken, park, markShared, withdrawWhenAborted, K_SELECT, K_WAIT,
  R_BLOCKED, R_WOULD_BLOCK, R_CLOSED, R_BAD, R_NOMEM, R_BUSY, MAX_CASES, SC_STRIDE, SC_VALUE,
} from "./core.js";
import { Chan, idOf, sharedOf, recvOnlyOf, timerOf, recvOnly, later, refusal, traceSelectCase } from "./chan.js";
import { settle } from "./preempt.js";
import { tracer } from "./trace.js";
import type { RecvChan, SendChan } from "./chan.js";
import { PanicError, coreFailure } from "./errors.js";
import { stageValue, dropValue } from "./values.js";
import { watchInbox, pollInbox } from "./inbox.js";

// SelectCase.checkedKind: what a case's channel needs from the select besides the core's poll.
const CK_LOCAL = 0; // nothing: a local channel (receive-only ones included), or null
const CK_SHARED = 1; // a shared channel: a send's value staged in the shared memory, the inbox polled
const CK_TIMER = 2; // a timer's channel (time.ts): the timer delivers a due value before the poll,
//                     and is told of the wait if the select parks

/** What every select case is: the common base of {@link RecvCase} and {@link SendCase} (one shape
 *  for both kinds, so that the select loop that reads them stays monomorphic). */
export class SelectCase {
  /** @internal The select this case is parked in, if any. */
  parkedIn: readonly unknown[] | null = null;
  /** @internal The channel last checked to be a baton channel (or null), and its core handle:
   *  a case reused with the same channel is not checked again. */
  checkedCh: unknown = null;
  /** @internal checkedCh's core handle. */
  checkedId = 0;
  /** @internal What checkedCh is: CK_LOCAL, CK_SHARED or CK_TIMER. */
  checkedKind = CK_LOCAL;
  /** @internal Cases are made by recv() and send(), or by RecvCase's and SendCase's constructors. */
  constructor(
    /** The case's channel; `null` never proceeds. */
    public ch: unknown,
    /** The value received, or to send. */
    public value: unknown,
    /** For a receive case, false only if it found the channel closed and drained. */
    public ok: boolean,
    /** @internal 1 for a send case, 0 for a receive case. */
    readonly isSend: number,
  ) {}
}

/**
 * A receive case for {@link select}: Go's `case v, ok := <-ch`. After it fires, `value` and `ok`
 * hold what `recvOk` would give. Reusable across selects.
 */
export class RecvCase<T> extends SelectCase {
  /** The channel; `null` never proceeds (Go's nil channel). */
  declare ch: RecvChan<T> | null;
  /** The value received by the last time this case fired. */
  declare value: T | undefined;
  /** False only if the last receive found the channel closed and drained. */
  declare ok: boolean;
  constructor(ch: RecvChan<T> | null) {
    super(ch, undefined, false, 0);
  }
}

/**
 * A send case for {@link select}: Go's `case ch <- value`. `value` may be reassigned before the
 * case is used again.
 */
export class SendCase<T> extends SelectCase {
  /** The channel; `null` never proceeds (Go's nil channel). */
  declare ch: SendChan<T> | null;
  /** The value to send. */
  declare value: T;
  constructor(ch: SendChan<T> | null, value: T) {
    super(ch, value, false, 1);
  }
}

function describe(v: unknown): string {
  return v === undefined ? "undefined" : typeof v === "object" ? "an object that is not one" : `a ${typeof v}`;
}

/** Any select case. */
export type Case = RecvCase<any> | SendCase<any>;

/**
 * A receive case: `case v, ok := <-ch`.
 *
 * @example
 * ```ts
 * const a = recv(numbers), b = recv(words);
 * if ((await select([a, b])) === 0) console.log(a.value, a.ok);
 * ```
 */
export function recv<T>(ch: RecvChan<T> | null): RecvCase<T> {
  if (ch !== null && !(ch instanceof Chan)) throw new TypeError(`recv: expected a channel or null, got ${describe(ch)}`);
  return new RecvCase<T>(ch);
}

/**
 * A send case: `case ch <- value`.
 *
 * @example
 * ```ts
 * const out = send(results, 42);
 * await select([out, recv(quit)]);
 * ```
 */
export function send<T>(ch: SendChan<T> | null, value: T): SendCase<T> {
  if (ch !== null) {
    if (!(ch instanceof Chan)) throw new TypeError(`send: expected a channel or null, got ${describe(ch)}`);
    if (recvOnlyOf(ch)) throw recvOnly("send");
  }
  return new SendCase<T>(ch, value);
}

// Resolved promises for the common results, so that a select that completes at once allocates
// no promise.
const RESOLVED_INDEX: Promise<number>[] = [];
for (let i = -1; i < 16; i++) RESOLVED_INDEX[i + 1] = Promise.resolve(i);

let reserved = 0;

// Channels whose values live outside the core (batonjs/nats, through foreign.ts) are nil channels
// to the core: their id is 0. Once one exists, foreign.ts installs `outside`, and every select
// runs through it: it performs or arms the foreign cases around runCore, which it calls for the
// others. Until then this costs one branch per select.
type Runner = (cases: readonly Case[], block: boolean, signal?: AbortSignal) => number | Promise<number>;
let outside: Runner | null = null;

/** @internal Installs foreign.ts's select (see `outside`). */
export function setOutsideSelect(f: Runner): void {
  outside = f;
}

/** The token of the select that runCore's last call parked (see lastParkedToken). */
let lastParked = -1;

/** @internal The token of the select that runCore's last call parked: valid only when that call
 *  returned a promise; -1 when the promise is a retry after a macrotask (see later()). A function,
 *  not an exported `let`: the bundle's other chunks would read a reassigned export through an
 *  exports object (rollup.config.mjs, checkNoLiveExports). */
export function lastParkedToken(): number {
  return lastParked;
}

/** Performs a select: the fired case's index, -1 (nothing could proceed and block is false), or
 *  a promise of the index when it parked. Throws for bad input and for a send on a closed
 *  channel. */
function run(cases: readonly Case[], block: boolean, signal?: AbortSignal): number | Promise<number> {
  return outside === null ? runCore(cases, block, signal) : outside(cases, block, signal);
}

/** @internal run() over the core's channels (a foreign channel is a nil channel here). */
export function runCore(cases: readonly Case[], block: boolean, signal?: AbortSignal): number | Promise<number> {
  if (!Array.isArray(cases)) throw new TypeError("select: cases must be an array of recv() and send() cases");
  const n = cases.length;
  if (n > reserved) {
    if (n > MAX_CASES) throw new RangeError(`select: too many cases (${n}; at most ${MAX_CASES})`);
    if (core === undefined) ensureCore();
    if (core.selReserve(T, n) === 0) throw coreFailure(7);
    reserved = n;
  }
  // The scratch block's cases: n × { channel, isSend, value slot } (SC_STRIDE bytes each).
  const scratch = words()[CTX + CTX_SCRATCH]!;
  const stride = SC_STRIDE >> 2;
  let p = scratch >>> 2;
  const m = wordsTo(p + stride * n);
  let nshared = 0;
  let sharedSends = 0;
  let ntimers = 0;
  for (let i = 0; i < n; i++, p += stride) {
    const c: unknown = cases[i];
    if (!(c instanceof SelectCase)) throw new TypeError(`select: case ${i} is not a case made by recv() or send()`);
    if (c.parkedIn !== null) {
      throw new Error(
        `select: case ${i} is already waiting in another select; a case object can wait in one select at a time`,
      );
    }
    const ch = c.ch;
    let id = c.checkedId;
    if (ch !== c.checkedCh) {
      id = 0;
      let kind = CK_LOCAL;
      if (ch !== null) {
        if (!(ch instanceof Chan)) {
          throw new TypeError(`select: case ${i}: not a baton channel (use chan(), attach() or null)`);
        }
        id = idOf(ch);
        kind = sharedOf(ch) ? CK_SHARED : timerOf(ch) !== null ? CK_TIMER : CK_LOCAL;
        if (c.isSend !== 0 && recvOnlyOf(ch)) throw recvOnly(`select: case ${i}`);
      }
      c.checkedCh = ch;
      c.checkedId = id;
      c.checkedKind = kind;
    }
    m[p] = id;
    m[p + 1] = c.isSend;
    if (c.checkedKind !== CK_LOCAL) {
      if (c.checkedKind === CK_TIMER) {
        // Go's selectgo: a timer channel's due value is delivered before the cases are polled.
        timerOf(ch as Chan<unknown>)!.ripen();
        ntimers++;
      } else {
        nshared++;
        if (c.isSend !== 0) {
          try {
            stageValue(c.value, scratch + i * SC_STRIDE + SC_VALUE);
          } catch (e) {
            dropStaged(cases, i, scratch);
            throw e;
          }
          sharedSends++;
        }
      }
    }
  }
  const token = block ? peekToken(K_SELECT) : 0;
  const r = core.selPoll(T, n, token, block ? 1 : 0, nshared);
  const code = r & 15;
  if (code === R_BLOCKED) {
    // Only nil channels, or no case at all: it waits forever, as a visible wait (Go's
    // "select (no cases)"), so that dumps and deadlock detection see it.
    if (r >>> 4 === 0) {
      const t = peekToken(K_WAIT);
      const forever = park(t, "select (no cases)");
      if (signal !== undefined) withdrawWhenAborted(t, signal, forever, () => 1); // nothing in the core
      return forever;
    }
    // Parked (the values of shared send cases went with their waiters): the slot holds the
    // cases; chan.ts settles the promise with the fired case's index.
    for (let i = 0; i < n; i++) cases[i]!.parkedIn = cases;
    lastParked = token;
    const promise = park(token, cases);
    if (nshared !== 0) {
      markShared(token);
      watchInbox();
    }
    if (ntimers !== 0) blockTimers(cases, token); // before withdrawOnAbort (see onWoken)
    if (signal !== undefined) withdrawOnAbort(cases, token, signal, promise);
    return promise;
  }
  if (code === R_WOULD_BLOCK || code === R_BUSY) {
    if (sharedSends !== 0) dropStaged(cases, n, scratch);
    if (nshared !== 0) pollInbox();
    // A lock that stayed taken: a select that may wait tries again after a macrotask (see
    // chan.ts, later); one that never waits answers without the lock what it can (a closed
    // shared channel is known without it), else that it would have had to wait.
    if (code === R_BUSY) {
      if (block) {
        lastParked = -1;
        return later(() => run(cases, true, signal) as Promise<number>, signal);
      }
      return closedCase(cases);
    }
    return -1;
  }
  const i = words()[CTX + CTX_SEL_CASE]!;
  // A case fired (or failed): the values staged for the other shared send cases were not sent.
  if (sharedSends !== 0) dropStaged(cases, n, scratch, code === R_BAD || code === R_CLOSED ? -1 : i);
  if (code === R_BAD) throw new TypeError(`select: case ${i}: the channel is no longer live`);
  if (code === R_NOMEM) throw coreFailure(code);
  const c = cases[i]!;
  const ch = c.ch as unknown as Chan<unknown>;
  if (tracer.on && code !== R_CLOSED) traceSelectCase(ch, c.isSend, r);
  if (c.isSend !== 0) {
    if (code === R_CLOSED) throw new PanicError("send on closed channel");
    ch.sendDone(r, c.value);
  } else if (code === R_CLOSED) {
    c.value = undefined;
    c.ok = false;
  } else {
    c.value = ch.recvDone(r);
    c.ok = true;
  }
  if (nshared !== 0) pollInbox();
  return i;
}

/** Tells the timers of the timer channels among `cases` that the select parked under `token`
 *  waits on them. */
function blockTimers(cases: readonly Case[], token: number): void {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    if (c.checkedKind === CK_TIMER) timerOf(c.checkedCh as Chan<unknown>)!.block(token);
  }
}

// After R_BUSY in a select that never waits: performs a case that can proceed on a closed shared
// channel without its lock (a receive of a drained one, ok false; a send panics), chosen at
// random among them, or -1.
function closedCase(cases: readonly Case[]): number {
  let chosen = -1, seen = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const ch = c.ch as unknown;
    if (!(ch instanceof Chan) || c.checkedKind !== CK_SHARED || !ch.closedNow()) continue;
    if (c.isSend === 0 && ch.len !== 0) continue;
    if (Math.random() * ++seen < 1) chosen = i;
  }
  if (chosen < 0) return -1;
  const c = cases[chosen]!;
  if (c.isSend !== 0) throw new PanicError("send on closed channel");
  c.value = undefined;
  c.ok = false;
  return chosen;
}

// Drops the values staged for the shared send cases among the first n, except case `keep`'s.
function dropStaged(cases: readonly Case[], n: number, scratch: number, keep = -1): void {
  for (let i = 0; i < n; i++) {
    const c = cases[i]!;
    if (i !== keep && c.isSend !== 0 && c.checkedKind === CK_SHARED) dropValue(scratch + i * SC_STRIDE + SC_VALUE);
  }
}

/**
 * Go's `select`: waits until at least one case can proceed, performs exactly one (chosen
 * uniformly at random among the ready ones) and resolves to its index. With
 * `{ default: true }` it never waits and resolves to -1 where no case can proceed.
 * `select([])` never resolves. A send case on a closed channel rejects with
 * `PanicError("send on closed channel")`.
 *
 * @example
 * ```ts
 * const a = recv(jobs), q = recv(quit);
 * for (;;) {
 *   if ((await select([a, q])) === 1) break;
 *   handle(a.value);
 * }
 * ```
 */
export function select(cases: readonly Case[], options?: SelectOptions): Promise<number> {
  try {
    let r: number | Promise<number>;
    if (options === undefined) r = run(cases, true);
    else {
      const no = refusal(options, "select");
      if (no !== null) return Promise.reject(no.reason);
      r = run(cases, options.default !== true, options.signal);
    }
    if (typeof r !== "number") return r;
    return settle(r < 15 ? RESOLVED_INDEX[r + 1]! : Promise.resolve(r), r);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Options of {@link select}. */
export interface SelectOptions {
  /** Go's `default:` case: never wait; resolve to -1 where no case can proceed. */
  default?: boolean;
  /** Withdraws the select if it aborts before a case fires: the select then rejects with
   *  `signal.reason`, and no case was performed. An already-aborted signal rejects at once. */
  signal?: AbortSignal;
}

/** Withdraws the select just parked under `token` (promise `p`) if `signal` aborts before a
 *  case fires. */
function withdrawOnAbort(cases: readonly Case[], token: number, signal: AbortSignal, p: Promise<number>): void {
  withdrawWhenAborted(token, signal, p, () => withdrawSelect(cases, token));
}

/** @internal Takes the waiters of the select parked under `token` over `cases` out of the core,
 *  unless it fired: core.selCancel's result (1 withdrawn, 0 it fired or its completion is on its
 *  way, -2 a shared channel's lock stayed taken: ask again later). The core finds the select
 *  through its channels: they are written into the scratch block again (it holds at least
 *  cases.length cases: this select used it). */
export function withdrawSelect(cases: readonly Case[], token: number): number {
  const n = cases.length;
  const stride = SC_STRIDE >> 2;
  let q = words()[CTX + CTX_SCRATCH]! >>> 2;
  const m = wordsTo(q + stride * n);
  for (let i = 0; i < n; i++, q += stride) {
    m[q] = cases[i]!.checkedId;
    m[q + 1] = cases[i]!.isSend;
  }
  return core.selCancel(T, n, token);
}

/**
 * A select with a default case, as a plain call: the index of the case performed, or -1.
 *
 * @example
 * ```ts
 * if (trySelect([send(out, v)]) === -1) dropped++;
 * ```
 */
export function trySelect(cases: readonly Case[]): number {
  return run(cases, false) as number;
}
