// time: Go's timers (time.Sleep, time.After, time.Tick, time.Timer, time.Ticker) over one heap.
//
// Lazy channel timers (Go 1.23, runtime/time.go). A timer or ticker with a channel is a deadline
// recorded in its object, and nothing else, until something waits on its channel: it is in the
// heap only while a receive or a select is parked there (Go's blockTimerChan), and leaves it when
// the last such wait ends (unblockTimerChan). Every read of its channel (a receive, tryRecv, len,
// a select's poll) first asks the timer to deliver its value if the deadline has passed (Go's
// maybeRunChan; chan.ts and select.ts call ripen()). So a timer that nobody waits on is held by
// its owner alone, and is collected with it: no weak reference, no finalizer, no sweep. Stop and
// reset only change fields (and take the timer out of the heap if a wait had put it there).
// Making and stopping a timer costs an object and a clock read (performance.now()).
//
// The heap: every timer that must fire by itself is an Entry in ONE min-heap ordered by deadline:
// sleeps and internal callbacks (a context's deadline) always, channel timers while waited on.
// It is 4-ary, as Go's runtime timer heap is: the children of i are 4i+1..4i+4, its parent
// (i-1)>>2; half as deep as a binary heap, it measured ~20% faster here at removing the earliest
// of 10^5 timers. Each entry stores its index in the heap, so that it leaves in O(log n) without
// searching; an entry that stops being needed (stopped, or nobody waits on it any more) is only
// marked dead, and leaves when it reaches the root or when dead entries make up a quarter of the
// heap (Go's zombies). ONE host timer (setTimeout) is armed for the earliest deadline; when it
// runs, every due entry fires in that one callback and the host timer is armed again for the
// next deadline. An entry that is not the earliest never touches the host timer, and killing the
// earliest leaves the host timer armed: it runs early, finds nothing due and re-arms.
//
// Deadlines are performance.now() milliseconds, read when the timer is made (never a clock
// captured at load), so vitest's fake timers, which replace setTimeout and performance, drive
// this module too. The value a timer's channel receives is the time its deadline passed, in
// Date.now() milliseconds, as Go sends the time the timer was due (sendTime: Now() - delay): a
// value delivered late, by a read or a host timer that ran late, still tells when it was due.
//
// Channels (Go 1.23 semantics): a timer's or ticker's channel is a receive-only baton channel
// with a one-value buffer (chan.ts, TimerChan), made only when `.c` is first read. Delivering puts
// the value in the buffer (or hands it to a parked receiver); a ticker whose buffer is still full
// drops the tick, so a slow receiver misses ticks rather than queueing them, and a ticker read
// late delivers one tick (the earliest it missed, as Go's does) and moves its deadline to the
// first period boundary after now. stop and reset drain the buffer, so that no value from before
// the call is received after it, and report the timer active if its deadline was pending
// (delivered or not) or its value had not been received (Go 1.23's Timer.Stop: "pending"
// includes a value still waiting in the channel). Go reports len/cap 0 for these channels; here
// they report the one-value buffer (len after delivering a due value).
//
// Keep-alive (Node): the host timer is unref()'d, so a pending timer does not keep the process
// alive by itself, as in Go, where main returning ends the program. The wake source registered
// in core.ts's wakeSources refs it while waits are parked (Node's 'beforeExit', asked by
// diag.ts) and the heap holds a live entry: goroutines waiting on a timer (sleeping, or parked on
// its channel) then keep the process alive until it fires. A timer nobody waits on is not in the
// heap and keeps nothing alive, as in Go 1.23, where it is in no P's heap. Each run of the host
// timer forgets that (keepAlive false), so the question is asked afresh whenever the event loop
// next goes idle. Only setTimeout/clearTimeout are needed: it runs in browsers too.
//
// Invariants (between calls, outside the firing loop):
//  heap[i].idx === i for every entry in the heap; an entry not in the heap has idx === -1.
//  An entry's `when` does not change while it is in the heap, dead or alive.
//  A live (not dead) entry in the heap is armed. An armed channel timer is live in the heap iff
//   blocked > 0 (a receive or select waits on its channel), due or not.
//  deadCount counts the entries in the heap marked dead; right after an entry is marked, it is
//   under a quarter of the heap's length (compact() runs when it would not be).
//  !less(heap[i], heap[(i - 1) >> 2]) for i > 0: ordered by (when, seq); seq breaks ties in the
//   order the timers were started, so timers due at the same time fire in that order.
//  heap non-empty and heap[0].when finite implies a host timer is armed (host !== null) that runs
//   no later than heap[0].when (hostWhen <= heap[0].when), made by the setTimeout now installed.
//  A host timer may be armed with no live entry (left after a stop): it runs, fires nothing.
//  A timer's channel buffer holds at most one value; an armed one-shot timer's holds none.
//  The host timer is ref'd only while keepAlive is true.

import { timerChan, recvOnlyChan, sendInternal } from "./chan.js";
import { settle } from "./preempt.js";
import type { Chan, ChanTimer, RecvChan } from "./chan.js";
import { peekToken, park, wake, onWoken, K_WAIT, wakeSources, RESOLVED } from "./core.js";

/** Entry kinds. */
const KIND_TIMER = 0; // a Timer (or after()): one value on its channel
const KIND_TICKER = 1; // a Ticker (or tick()): a value every period, dropped if the buffer is full
const KIND_SLEEP = 2; // a sleep(): wakes the parked wait of `arg` (its token)
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

/** A timer of any kind: the object a Timer's or Ticker's user holds, its channel's ChanTimer and
 *  the heap's element, all in one (one object per timer; one class for every kind, so that the
 *  heap code sees one shape). Typed to its users as Timer or Ticker only. */
class Entry implements Timer, Ticker, ChanTimer {
  /** Deadline, performance.now() milliseconds: the heap's key while in the heap. */
  when = 0;
  /** Start order, to break ties between equal deadlines. */
  seq = 0;
  /** Index in the heap, or -1 when not in it. */
  idx = -1;
  /** In the heap, but no longer wanted there (stopped, fired, moved, or nobody waits on it any
   *  more): left until it reaches the root or the heap is compacted. */
  dead = false;
  /** Its deadline is pending: set, and not yet delivered (or fired) since the last start. */
  armed = false;
  /** Receives and selects parked on its channel now. */
  blocked = 0;
  /** The channel, once `.c` was read. */
  ch: Chan<number> | null = null;

  constructor(
    readonly kind: number,
    /** A ticker's period, ms; a sleep's wait token. */
    public arg: number,
    /** An internal callback. */
    readonly fn: () => void,
  ) {}

  get c(): RecvChan<number> {
    return (this.ch ??= timerChan<number>(this));
  }

  stop(): boolean {
    let active = this.armed;
    this.armed = false;
    if (this.idx >= 0 && !this.dead) kill(this);
    if (this.ch !== null && this.ch.tryRecv() !== undefined) active = true;
    return active;
  }

  reset(ms: number): boolean {
    if (this.kind === KIND_TICKER) {
      checkInterval(ms, "Ticker.Reset");
      this.arg = ms;
    } else {
      checkMs(ms, "Timer.reset");
    }
    let active = this.armed;
    if (this.idx >= 0) unheap(this);
    // The deadline is not armed while draining: the drain reads the channel, and must not
    // deliver the old deadline's value.
    this.armed = false;
    if (this.ch !== null && this.ch.tryRecv() !== undefined) active = true;
    start(this, ms);
    return active;
  }

  /** @internal ChanTimer: a read of the channel delivers a due value first. */
  ripen(): void {
    if (this.armed) {
      const now = performance.now();
      if (this.when <= now) fireChan(this, now);
    }
  }

  /** @internal ChanTimer: a wait parked on the channel under `token`. It holds the channel (the
   *  slot table keeps a receive-only channel's waits' channel, a select's cases theirs), so it is
   *  never dropped (slots.ts, dropWait): it ends, and woken() is called. */
  block(token: number): void {
    onWoken(token, this);
    if (this.blocked++ === 0 && this.armed) {
      if (this.idx < 0) push(this);
      else if (this.dead) {
        // A zombie waited on again: its place in the heap still fits its deadline.
        this.dead = false;
        deadCount--;
      }
    }
  }

  /** @internal A wait on the channel ended (slots.ts, onWoken). */
  woken(): void {
    if (--this.blocked === 0 && this.idx >= 0 && !this.dead) kill(this);
  }
}

// ── the heap ──────────────────────────────────────────────────────────────────────────────────

const heap: Entry[] = [];
let nextSeq = 0;
let deadCount = 0; // dead entries still in the heap

// Leaving is lazy, as in Go's runtime (timerZombie): an entry no longer wanted is only marked,
// and leaves the heap when it reaches the root or when dead entries make up a quarter of the heap
// and the heap is compacted in one pass — O(1) amortized, where removing it at once costs
// O(log n) (stopping 10^5 waited-on timers in creation order would remove the root every time).

/** Marks t, which is live in the heap, dead. */
function kill(t: Entry): void {
  t.dead = true;
  deadCount++;
  if (deadCount * 4 >= heap.length) compact();
  if (heap.length === deadCount) letGo();
}

/** Takes t, which is in the heap, dead or alive, out of it now. */
function unheap(t: Entry): void {
  if (t.dead) {
    t.dead = false;
    deadCount--;
  }
  remove(t);
}

/** Puts t, which is not in the heap, in it, and arms the host timer if t comes first. */
function push(t: Entry): void {
  const i = heap.length;
  heap.push(t);
  siftUp(i, t);
  if (t.idx === 0) arm();
}

/** Drops every dead entry from the heap and restores its order (Floyd's heapify). */
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

/** Drops dead entries from the root, so that heap[0], if any, is live. */
function dropDeadRoots(): void {
  while (heap.length > 0 && heap[0]!.dead) unheap(heap[0]!);
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

/** @internal True for a Timer or Ticker of baton's (they belong to their thread). */
export function isTimer(v: unknown): boolean {
  return v instanceof Entry;
}

/** Arms t (not armed; not in the heap) to fire ms from now, and puts it in the heap if it
 *  must fire by itself: a sleep or callback, or a channel timer something waits on (one due now
 *  is delivered to it at once). A timer or callback due already fires now. */
function start(t: Entry, ms: number): void {
  const now = performance.now();
  t.seq = nextSeq++;
  t.armed = true;
  if (t.kind >= KIND_SLEEP) {
    if (ms <= 0) {
      fireNow(t);
      return;
    }
    t.when = now + ms;
    push(t);
    return;
  }
  // A channel timer: as Go's, one made with ms <= 0 is due now (a ticker's ms is > 0).
  t.when = ms > 0 ? now + ms : now;
  if (t.blocked > 0) {
    if (t.when <= now) fireChan(t, now);
    else push(t);
  }
}

/** Fires a sleep or callback t (armed, not in the heap). */
function fireNow(t: Entry): void {
  t.armed = false;
  if (t.kind === KIND_SLEEP) wake(t.arg, undefined);
  else t.fn();
}

/** Delivers the value of channel timer t, armed and due at `now`: the time its deadline passed,
 *  Date.now() milliseconds. A timer is disarmed; a ticker moves to the first period boundary
 *  after now (Go's runtime: when += period * (1 + -delta/period)), and stays in the heap while
 *  waited on. A full buffer (a ticker's unreceived tick) drops the value. */
function fireChan(t: Entry, now: number): void {
  const v = Math.round(Date.now() - (now - t.when));
  if (t.idx >= 0) unheap(t);
  if (t.kind === KIND_TIMER) {
    t.armed = false;
  } else {
    const p = t.arg;
    t.when += p * (1 + Math.floor((now - t.when) / p));
    t.seq = nextSeq++;
    if (t.blocked > 0) push(t);
  }
  // Last: the value may wake a select, which lets go of t (woken) at once.
  if (t.ch !== null) sendInternal(t.ch, v);
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
      try {
        if (t.kind <= KIND_TICKER) fireChan(t, now);
        else {
          remove(t);
          fireNow(t);
        }
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
  return t.c;
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
  return t.c;
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
  return t;
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
  return t;
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

/** @internal Timers in the heap (for tests): sleeps, callbacks, and channel timers that a
 *  receive or select waits on; not the dead entries. */
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
    else if (!t.armed) return `heap[${i}] is live but not armed`;
    else if (t.kind <= KIND_TICKER && t.blocked <= 0) return `heap[${i}] is a channel timer nobody waits on, live`;
  }
  if (dead !== deadCount) return `${dead} stopped entries in the heap, counted ${deadCount}`;
  if (heap.length > deadCount && heap[0]!.when !== Infinity && !firing) {
    if (host === null) return "no host timer armed";
    if (hostWhen > heap[0]!.when) return "the host timer runs after the earliest deadline";
  }
  return "";
}
