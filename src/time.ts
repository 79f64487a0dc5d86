// time: Go's timers (time.Sleep, time.After, time.Tick, time.Timer, time.Ticker) over one heap.
//
// Every pending timer of this thread, whatever its kind (a timer or ticker with a channel, a
// sleep, an internal callback such as a context's deadline), is an Entry in ONE min-heap ordered
// by deadline. The heap is 4-ary, as Go's runtime timer heap is (runtime/time.go): the children
// of i are 4i+1..4i+4, its parent (i-1)>>2. Half as deep as a binary heap, it measured ~20%
// faster here at removing the earliest of 10^5 timers. Each entry stores its index in the heap,
// so that reset removes it in O(log n) without searching; stop only marks it (see kill()).
// ONE host timer (setTimeout) is armed for the earliest deadline; when it runs, every due entry
// fires in that one callback and the host timer is armed again for the next deadline. Creating
// or stopping a timer that is not the earliest never touches the host timer, and stopping the
// earliest leaves the host timer armed: it runs early, finds nothing due and re-arms. So making
// and stopping 10^5 timers costs heap operations and one clock read each (performance.now(),
// ~40 ns: about 1.2-1.3x Node's setTimeout+clearTimeout in bench/, timers_1e5).
//
// Deadlines are performance.now() milliseconds, read when the timer is made (never a clock
// captured at load), so vitest's fake timers, which replace setTimeout and performance, drive
// this module too. Values sent on timer channels are Date.now() at firing, as `after` promises.
//
// Channels (Go 1.23 semantics): a timer's or ticker's channel is an ordinary baton channel with a
// one-value buffer, made only when `.c` is first read (until then a fired value waits in the
// entry). Firing puts the value in the buffer (or hands it to a parked receiver); a ticker whose
// buffer is still full drops the tick, so a slow receiver misses ticks rather than queueing them.
// stop and reset drain the buffer, so that no value from before the call is received after it,
// and report the timer active if it was pending in the heap or its value had not been received
// (Go 1.23's Timer.Stop: "pending" includes a value still waiting in the channel). Go reports
// len/cap 0 for these channels; here they report the one-value buffer.
//
// Keep-alive (Node): the host timer is unref()'d, so a pending timer does not keep the process
// alive by itself, as in Go, where main returning ends the program. The wake source registered
// in core.ts's wakeSources refs it while waits are parked (Node's 'beforeExit', asked by
// diag.ts): goroutines waiting on a timer then keep the process alive until it fires. Each run
// of the host timer forgets that (keepAlive false), so the question is asked afresh whenever the
// event loop next goes idle. Only setTimeout/clearTimeout are needed: it runs in browsers too.
//
// Invariants (between calls, outside the firing loop):
//  heap[i].idx === i for every entry in the heap; an entry not in the heap has idx === -1.
//  deadCount counts the entries in the heap marked dead (stopped); right after a stop, it is under
//   a quarter of the heap's length (compact() runs when it would not be).
//  !less(heap[i], heap[(i - 1) >> 2]) for i > 0: ordered by (when, seq); seq breaks ties in the
//   order the timers were started, so timers due at the same time fire in that order.
//  heap non-empty and heap[0].when finite implies a host timer is armed (host !== null) that runs
//   no later than heap[0].when (hostWhen <= heap[0].when), made by the setTimeout now installed.
//  A host timer may be armed with the heap empty (left after a stop): it runs, fires nothing.
//  A timer's channel buffer (or, before `.c` was read, its `pending`) holds at most one value;
//   an entry in the heap has none from before its last stop/reset.
//  The host timer is ref'd only while keepAlive is true.

import { recvOnlyChan, sendInternal } from "./chan.js";
import { settle } from "./preempt.js";
import { macrotask } from "./macrotask.js";
import type { Chan, RecvChan } from "./chan.js";
import { peekToken, park, wake, K_WAIT, wakeSources, RESOLVED } from "./core.js";

/** Entry kinds. */
const KIND_TIMER = 0; // a Timer (or after()): one value on its channel
const KIND_TICKER = 1; // a Ticker (or tick()): a value every period, dropped if the buffer is full
const KIND_SLEEP = 2; // a sleep(): wakes the parked wait of `token`
const KIND_FUNC = 3; // an internal callback (afterFunc): calls `fn`

/** The longest delay setTimeout takes (2^31 - 1 ms); longer ones are re-armed when it runs. */
const MAX_DELAY = 0x7fffffff;

/** A thrown-away function for entries without a callback. */
const NOOP = (): void => {};

/**
 * A single event: Go's `time.Timer`. Its channel `c` receives `Date.now()` once, when the timer
 * fires. Make one with {@link newTimer}.
 *
 * @example
 * ```ts
 * const t = newTimer(1000);
 * const done = recv(jobDone), timeout = recv(t.c);
 * if ((await select([done, timeout])) === 0) t.stop(); // finished in time
 * ```
 */
export interface Timer {
  /** The channel on which the firing time (`Date.now()`) is delivered. */
  readonly c: RecvChan<number>;
  /** Prevents the timer from firing. True if the call stopped it: it was pending, or its value
   *  had not been received (the value is then discarded). False if it had fired and its value
   *  was received, or it was already stopped. After stop, no value from before is received. */
  stop(): boolean;
  /** Makes the timer fire `ms` from now (at once if `ms <= 0`), discarding any unreceived value.
   *  Returns what stop would have returned: whether the timer was active. */
  reset(ms: number): boolean;
}

/**
 * A periodic event: Go's `time.Ticker`. Its channel `c` receives `Date.now()` every period; a
 * slow receiver misses ticks (at most one waits in the channel). Make one with {@link newTicker}.
 *
 * @example
 * ```ts
 * const t = newTicker(100);
 * for (let i = 0; i < 3; i++) await t.c.recv();
 * t.stop();
 * ```
 */
export interface Ticker {
  /** The channel on which ticks (`Date.now()` at each tick) are delivered. */
  readonly c: RecvChan<number>;
  /** Turns the ticker off and discards a tick not yet received. The channel is not closed. */
  stop(): void;
  /** Stops the ticker and restarts it with period `ms` (> 0): the next tick comes `ms` from now.
   *  Throws RangeError("non-positive interval for Ticker.Reset") for `ms <= 0`. */
  reset(ms: number): void;
}

/** @internal A pending or idle timer of any kind: the heap's element. One class for all kinds,
 *  so that the heap code sees one shape.
 *
 *  Collection (Go 1.23): a timer that nothing references can never be observed, so it is not kept
 *  until it fires. The heap holds its entries, but an entry holds its channel only weakly; what
 *  references a timer from outside is its owners, the public Timer or Ticker (TimerHandle) and
 *  its channel, each registered with `owners`. Once both are collected, the entry is stopped and
 *  leaves the heap like any stopped timer. A receive parked on the channel keeps the channel
 *  alive (chan.ts: a receive-only channel's wait holds it).
 *
 *  Weak references cost ~300-400 ns each here (a WeakRef, a registration), more than the rest of
 *  a timer, and most timers are stopped or fire soon. So an entry holds its owners strongly at
 *  first; an audit of the heap (runAudit), run from a macrotask once the heap has doubled, or
 *  from a host timer within a second, turns the owners of the entries still pending into weak
 *  references. A timer dropped while pending is collected after the next audit. The audit holds
 *  nothing: a timer that is not in the heap is held by its owners only. */
export class Entry {
  /** Deadline, performance.now() milliseconds. */
  when = 0;
  /** Start order, to break ties between equal deadlines. */
  seq = 0;
  /** Index in the heap, or -1 when not in it. */
  idx = -1;
  /** Stopped while in the heap: left there until it reaches the root or the heap is compacted. */
  dead = false;
  /** The channel, once made: the channel itself until the audit, then a WeakRef to it. */
  ch: Chan<number> | WeakRef<Chan<number>> | null = null;
  /** Its handle (TimerHandle) until the audit; then null. */
  handle: object | null = null;
  /** Owners registered by the audit and not yet collected; > 0 once its owners are weak. */
  holders = 0;
  /** A value fired before `.c` was read, delivered into the channel when it is made; -1 for none
   *  (values are Date.now()). One field: an entry is kept small (V8's young generation holds
   *  10^5 live timers of this size; a few fields more measured 3x slower in timers_1e5). */
  pending = -1;

  constructor(
    readonly kind: number,
    /** A ticker's period, ms; a sleep's wait token. */
    public arg: number,
    /** An internal callback. */
    readonly fn: () => void,
  ) {}

  /** The channel (made on first use: an owner of this entry from then on). */
  channel(): Chan<number> {
    const old = chanOf(this);
    if (old !== undefined) return old;
    const ch = recvOnlyChan<number>(1);
    if (this.holders > 0) {
      // Its owners are weak already: so is the channel.
      this.ch = new WeakRef(ch);
      this.holders++;
      owners.register(ch, this);
    } else {
      this.ch = ch;
    }
    if (this.pending >= 0) {
      sendInternal(ch, this.pending);
      this.pending = -1;
    }
    return ch;
  }

  stop(): boolean {
    let active = false;
    if (this.idx >= 0 && !this.dead) {
      kill(this);
      active = true;
    }
    if (drain(this)) active = true;
    return active;
  }

  reset(ms: number): boolean {
    if (this.kind === KIND_TICKER) {
      checkInterval(ms, "Ticker.Reset");
      this.arg = ms;
    } else {
      checkMs(ms, "Timer.reset");
    }
    let active = false;
    if (this.idx >= 0) {
      if (this.dead) {
        this.dead = false;
        deadCount--;
      } else {
        active = true;
      }
      remove(this);
    }
    if (drain(this)) active = true;
    start(this, ms);
    return active;
  }
}

// ── the heap ──────────────────────────────────────────────────────────────────────────────────

const heap: Entry[] = [];
let nextSeq = 0;
let deadCount = 0; // stopped entries still in the heap

// Stopping is lazy, as in Go's runtime (timerDeleted): a stopped entry is only marked, and leaves
// the heap when it reaches the root or when stopped entries make up a quarter of the heap and the
// heap is compacted in one pass — O(1) amortized per stop, where removing it at once costs
// O(log n) (stopping 10^5 timers in creation order removes the root every time).

/** Stops t, which is live in the heap. */
function kill(t: Entry): void {
  t.dead = true;
  deadCount++;
  if (deadCount * 4 >= heap.length) compact();
  if (heap.length === deadCount) letGo();
}

/** Drops every stopped entry from the heap and restores its order (Floyd's heapify). */
function compact(): void {
  let j = 0;
  for (let i = 0; i < heap.length; i++) {
    const t = heap[i]!;
    if (t.dead) {
      t.dead = false;
      t.idx = -1;
    } else {
      heap[j] = t;
      t.idx = j++;
    }
  }
  heap.length = j;
  deadCount = 0;
  for (let i = (j - 2) >> 2; i >= 0; i--) siftDown(i, heap[i]!);
}

/** Drops stopped entries from the root, so that heap[0], if any, is live. */
function dropDeadRoots(): void {
  while (heap.length > 0 && heap[0]!.dead) {
    const t = heap[0]!;
    t.dead = false;
    deadCount--;
    remove(t);
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.when < b.when || (a.when === b.when && a.seq < b.seq);
}

/** Puts t at index i or above, moving later parents down. */
function siftUp(i: number, t: Entry): void {
  while (i > 0) {
    const p = (i - 1) >> 2;
    const pt = heap[p]!;
    if (!less(t, pt)) break;
    heap[i] = pt;
    pt.idx = i;
    i = p;
  }
  heap[i] = t;
  t.idx = i;
}

/** Puts t at index i or below, moving the earliest of each level's children up. */
function siftDown(i: number, t: Entry): void {
  const n = heap.length;
  for (;;) {
    const c0 = 4 * i + 1;
    if (c0 >= n) break;
    let c = c0;
    let ct = heap[c0]!;
    const end = c0 + 4 < n ? c0 + 4 : n;
    for (let j = c0 + 1; j < end; j++) {
      const jt = heap[j]!;
      if (less(jt, ct)) {
        c = j;
        ct = jt;
      }
    }
    if (!less(ct, t)) break;
    heap[i] = ct;
    ct.idx = i;
    i = c;
  }
  heap[i] = t;
  t.idx = i;
}

/** Removes t, which is in the heap. */
function remove(t: Entry): void {
  const i = t.idx;
  t.idx = -1;
  const last = heap.pop()!;
  if (last === t) return;
  if (i > 0 && less(last, heap[(i - 1) >> 2]!)) siftUp(i, last);
  else siftDown(i, last);
}

/** Takes the value a timer's channel holds, if any: true if there was one. */
function drain(t: Entry): boolean {
  if (t.ch === null) {
    const had = t.pending >= 0;
    t.pending = -1;
    return had;
  }
  const ch = chanOf(t);
  return ch !== undefined && ch.tryRecv() !== undefined;
}

/** A timer's channel, if it was made and not collected. */
function chanOf(t: Entry): Chan<number> | undefined {
  const c = t.ch;
  if (c === null) return undefined;
  return c instanceof WeakRef ? c.deref() : c;
}

// ── the audit (see Entry) ─────────────────────────────────────────────────────────────────────

let auditAt = 1024; // the heap size that calls for an audit
let auditQueued = false;
let auditTimer = false; // a host timer will run the audit within a second

/** Called as an entry enters the heap: queues an audit once the heap has doubled since the last,
 *  and otherwise makes sure one runs within a second (so that a timer dropped while pending is
 *  collected by then). */
function maybeAudit(): void {
  if (auditQueued) return;
  if (heap.length >= auditAt) {
    auditQueued = true;
    macrotask(runAudit);
  } else if (!auditTimer) {
    auditTimer = true;
    const h = setTimeout(onAuditTimer, 1000) as unknown as { unref?: () => void };
    if (typeof h === "object" && h !== null && typeof h.unref === "function") h.unref();
  }
}

function onAuditTimer(): void {
  auditTimer = false;
  if (!auditQueued) runAudit();
}

function runAudit(): void {
  auditQueued = false;
  auditAt = Math.max(1024, heap.length * 2);
  for (let i = 0; i < heap.length; i++) {
    const t = heap[i]!;
    if (t.dead || t.holders > 0) continue;
    const h = t.handle;
    if (h !== null) {
      t.holders++;
      owners.register(h, t);
      t.handle = null;
    }
    const c = t.ch;
    if (c !== null && !(c instanceof WeakRef)) {
      t.ch = new WeakRef(c);
      t.holders++;
      owners.register(c, t);
    }
  }
}

/** Delivers v to a timer's channel; a full buffer (a ticker's unreceived tick) drops it. A
 *  channel that was collected cannot be observed: nothing to deliver. */
function deliver(t: Entry, v: number): void {
  if (t.ch === null) {
    if (t.pending < 0) t.pending = v;
  } else {
    const ch = chanOf(t);
    if (ch !== undefined) sendInternal(ch, v);
  }
}

// A timer's owners (its TimerHandle, its channel) are registered here; once every owner of an
// entry is collected, nothing can observe the entry: it is stopped.
const owners = new FinalizationRegistry<Entry>((t) => {
  if (--t.holders === 0 && t.idx >= 0 && !t.dead) kill(t);
});

/** @internal True for a Timer or Ticker of baton's (they belong to their thread). */
export function isTimer(v: unknown): boolean {
  return v instanceof TimerHandle || v instanceof Entry;
}

/** A Timer or Ticker as its user holds it: an owner of its entry (see Entry). */
class TimerHandle implements Timer, Ticker {
  readonly #t: Entry;
  #c: Chan<number> | null = null;
  constructor(t: Entry) {
    this.#t = t;
    t.handle = this;
  }
  get c(): RecvChan<number> {
    return (this.#c ??= this.#t.channel());
  }
  stop(): boolean {
    return this.#t.stop();
  }
  reset(ms: number): boolean {
    return this.#t.reset(ms);
  }
}

/** Starts t (not in the heap) to fire ms from now; a timer or callback due already fires now. */
function start(t: Entry, ms: number): void {
  if (ms <= 0 && t.kind !== KIND_TICKER) {
    fire(t, 0);
    return;
  }
  t.when = performance.now() + ms;
  t.seq = nextSeq++;
  const i = heap.length;
  heap.push(t);
  siftUp(i, t);
  if (t.idx === 0) arm();
  maybeAudit();
}

/** Fires t, which is not in the heap, or (a ticker) the heap's root; `now` is the clock that
 *  made it due (a ticker's next deadline is the first period boundary after it). */
function fire(t: Entry, now: number): void {
  switch (t.kind) {
    case KIND_TIMER:
      deliver(t, Date.now());
      break;
    case KIND_TICKER: {
      // Go's runtime: when += period * (1 + -delta/period), the first boundary after now.
      const p = t.arg;
      t.when += p * (1 + Math.floor((now - t.when) / p));
      t.seq = nextSeq++;
      siftDown(0, t);
      deliver(t, Date.now());
      break;
    }
    case KIND_SLEEP:
      wake(t.arg, undefined);
      break;
    default:
      t.fn();
  }
}

// ── the host timer ────────────────────────────────────────────────────────────────────────────

interface HostHandle {
  ref?: () => unknown;
  unref?: () => unknown;
}
type SetTimeoutFn = (fn: (gen: number) => void, ms: number, gen: number) => unknown;
type ClearTimeoutFn = (h: unknown) => void;

let host: unknown = null; // the current host timer's handle
let hostWhen = Infinity; // when it runs (performance.now() ms)
let hostSet: unknown = null; // the setTimeout that made it (vitest's fake timers swap them)
let hostClear: ClearTimeoutFn | null = null; // and the matching clearTimeout
let hostGen = 0; // the current host timer's number: a stale one that runs changes nothing
let keepAlive = false; // the wake source asked to keep the process alive
let firing = false; // inside the firing loop: arm() waits until the loop ends

function refHost(): void {
  const h = host as HostHandle | null;
  if (h !== null && typeof h === "object") {
    if (keepAlive) {
      if (typeof h.ref === "function") h.ref();
    } else if (typeof h.unref === "function") h.unref();
  }
}

/** Arms the host timer for the heap's earliest deadline, unless one that runs no later is armed. */
function arm(): void {
  if (firing) return;
  dropDeadRoots();
  if (heap.length === 0) return;
  const when = heap[0]!.when;
  const set = globalThis.setTimeout as unknown as SetTimeoutFn;
  if (host !== null && hostSet === set && hostWhen <= when) return;
  if (when === Infinity) return; // never due: nothing to arm
  if (host !== null) hostClear!(host);
  let delay = Math.ceil(when - performance.now());
  if (delay < 0) delay = 0;
  if (delay > MAX_DELAY) {
    delay = MAX_DELAY;
    hostWhen = performance.now() + MAX_DELAY;
  } else {
    hostWhen = when;
  }
  host = set(onHost, delay, ++hostGen);
  hostSet = set;
  hostClear = globalThis.clearTimeout as unknown as ClearTimeoutFn;
  refHost();
}

/** Stops keeping the process alive once nothing is pending (a stop emptied the heap). */
function letGo(): void {
  if (keepAlive) {
    keepAlive = false;
    refHost();
  }
}

/** The host timer ran: fires every due entry, then arms for the next deadline. */
function onHost(gen: number): void {
  if (gen === hostGen) {
    host = null;
    hostWhen = Infinity;
    hostSet = null;
    keepAlive = false;
  }
  runDue();
  arm();
}

/** Fires every entry due now, the earliest first. Callbacks (a context's cancel, and the user
 *  code it reaches, such as abort listeners) may start and stop timers meanwhile; an error one
 *  throws does not stop the others and is rethrown afterwards, as an uncaught exception. */
function runDue(): void {
  const now = performance.now();
  let failed = false;
  let error: unknown;
  firing = true;
  try {
    for (;;) {
      dropDeadRoots();
      if (heap.length === 0) break;
      const t = heap[0]!;
      if (t.when > now) break;
      if (t.kind !== KIND_TICKER) remove(t);
      try {
        fire(t, now);
      } catch (e) {
        if (!failed) {
          failed = true;
          error = e;
        }
      }
    }
  } finally {
    firing = false;
  }
  if (failed) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

// Asked when the event loop is about to go idle (diag.ts, on Node's 'beforeExit'): with waits
// parked and a timer pending, keep the process alive until the timer fires (it may wake them).
wakeSources.push((parked: boolean): boolean => {
  dropDeadRoots();
  if (parked && heap.length > 0 && heap[0]!.when !== Infinity) {
    keepAlive = true;
    if (host === null || hostSet !== globalThis.setTimeout) arm();
    refHost();
    return true;
  }
  keepAlive = false;
  refHost();
  return false;
});

// ── checks ────────────────────────────────────────────────────────────────────────────────────

function checkMs(ms: unknown, what: string): number {
  if (typeof ms !== "number") {
    throw new TypeError(`${what}: the duration must be a number of milliseconds, got ${typeof ms}`);
  }
  if (ms !== ms) throw new RangeError(`${what}: the duration is NaN`);
  return ms;
}

function checkInterval(ms: unknown, what: string): number {
  checkMs(ms, what);
  if (!((ms as number) > 0)) throw new RangeError(`non-positive interval for ${what}`);
  return ms as number;
}

// ── the API ───────────────────────────────────────────────────────────────────────────────────

/**
 * Go's `time.Sleep(d)`: resolves `ms` milliseconds from now. While it waits, a goroutine dump
 * shows the goroutine in state "sleep". `ms <= 0` resolves at once. Throws `TypeError` for a
 * non-number, `RangeError` for NaN.
 *
 * @example
 * ```ts
 * go(async () => { await sleep(100); console.log("100 ms later"); });
 * ```
 */
export function sleep(ms: number): Promise<void> {
  checkMs(ms, "sleep");
  if (ms <= 0) return settle(RESOLVED, undefined);
  const token = peekToken(K_WAIT);
  const p = park(token, "sleep") as Promise<void>;
  start(new Entry(KIND_SLEEP, token, NOOP), ms);
  return p;
}

/**
 * Go's `time.After(d)`: a channel that receives `Date.now()` once, `ms` milliseconds from now
 * (at once if `ms <= 0`). Equivalent to `newTimer(ms).c`; use {@link newTimer} to be able to
 * stop it early.
 *
 * @example
 * ```ts
 * const r = recv(results), t = recv(after(1000));
 * if ((await select([r, t])) === 1) console.log("timed out");
 * ```
 */
export function after(ms: number): RecvChan<number> {
  checkMs(ms, "after");
  const t = new Entry(KIND_TIMER, 0, NOOP);
  start(t, ms);
  return t.channel();
}

/**
 * Go's `time.Tick(d)`: a channel that receives `Date.now()` every `ms` milliseconds; a slow
 * receiver misses ticks. It cannot be stopped: use {@link newTicker} for that. As in Go, where
 * `Tick` returns a nil channel for `d <= 0`, `ms <= 0` gives a channel that never receives.
 *
 * @example
 * ```ts
 * for await (const now of tick(1000)) console.log(new Date(now).toISOString());
 * ```
 */
export function tick(ms: number): RecvChan<number> {
  checkMs(ms, "tick");
  if (ms <= 0) return recvOnlyChan<number>(0); // Go's nil channel: nothing is ever sent on it
  const t = new Entry(KIND_TICKER, ms, NOOP);
  start(t, ms);
  return t.channel();
}

/**
 * Go's `time.NewTimer(d)`: a {@link Timer} whose channel receives `Date.now()` once, `ms`
 * milliseconds from now (at once if `ms <= 0`). Throws `TypeError` for a non-number,
 * `RangeError` for NaN.
 *
 * @example
 * ```ts
 * const t = newTimer(50);
 * if (!t.stop()) console.log("already fired");
 * t.reset(100); // fires 100 ms from now; no stale value from before is received
 * await t.c.recv();
 * ```
 */
export function newTimer(ms: number): Timer {
  checkMs(ms, "newTimer");
  const t = new Entry(KIND_TIMER, 0, NOOP);
  start(t, ms);
  return new TimerHandle(t);
}

/**
 * Go's `time.NewTicker(d)`: a {@link Ticker} whose channel receives `Date.now()` every `ms`
 * milliseconds; a slow receiver misses ticks rather than queueing them. Throws
 * `RangeError("non-positive interval for NewTicker")` for `ms <= 0` (Go panics), `TypeError`
 * for a non-number. Stop it when done, or it ticks forever (it does not keep Node alive by
 * itself).
 *
 * @example
 * ```ts
 * const t = newTicker(100);
 * const tk = recv(t.c), quit = recv(done);
 * for (;;) if ((await select([tk, quit])) === 1) break; else poll();
 * t.stop();
 * ```
 */
export function newTicker(ms: number): Ticker {
  checkInterval(ms, "NewTicker");
  const t = new Entry(KIND_TICKER, ms, NOOP);
  start(t, ms);
  return new TimerHandle(t);
}

/**
 * @internal Calls `fn` once, `ms` from now, from the host timer's callback (synchronously, at
 * once, if `ms <= 0`); `stop()` on the result prevents it and returns whether it did. For
 * deadlines (context.ts): `fn` must not throw.
 */
export function afterFunc(ms: number, fn: () => void): { stop(): boolean } {
  checkMs(ms, "afterFunc");
  const t = new Entry(KIND_FUNC, 0, fn);
  start(t, ms);
  return t;
}

/** @internal Timers pending (for tests): entries in the heap that were not stopped. */
export function pendingTimers(): number {
  return heap.length - deadCount;
}

/** @internal Checks the heap's invariants; returns a description of the first violation, or "". */
export function checkHeap(): string {
  let dead = 0;
  for (let i = 0; i < heap.length; i++) {
    const t = heap[i]!;
    if (t.idx !== i) return `heap[${i}].idx = ${t.idx}`;
    if (i > 0 && less(t, heap[(i - 1) >> 2]!)) return `heap[${i}] is earlier than its parent`;
    if (t.dead) dead++;
  }
  if (dead !== deadCount) return `${dead} stopped entries in the heap, counted ${deadCount}`;
  if (heap.length > deadCount && heap[0]!.when !== Infinity && !firing) {
    if (host === null) return "no host timer armed";
    if (hostWhen > heap[0]!.when) return "the host timer runs after the earliest deadline";
  }
  return "";
}
