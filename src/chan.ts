// Channels: the JS side of assembly/chan.ts. The core keeps each channel's bookkeeping (ring
// positions, count, closed flag, wait queues). A local channel's values stay here, in its `buf`
// array at the positions the core gives out, or in the slot of a parked sender (slots.ts). A
// shared channel's values are copied into the shared memory (values.ts) and its ring is the
// core's.
//
// Who wakes whom: an operation that finds a parked peer of this thread gets the peer's token back
// from the core and completes the peer here, synchronously (wakeReceiver / takeFromSender /
// failSender): the peer's promise settles, and its goroutine continues in a later microtask. A
// peer of another thread is completed by the core, through that thread's inbox (inbox.ts), which
// completes it with completeRemote. No user code runs inside a core call.
//
// One path per direction: Chan's sendDone and recvDone finish a send or a receive that the core
// performed, for Chan's own methods and for select alike (as Go's send and recv serve chansend
// and selectgo).
//
// Identity: a channel's core address is in a private field, and the constructor takes a key only
// this module has, so no JS code can point a Chan at another channel's record. A shared channel
// crosses threads only as a handle, which attach() checks against the channel's generation.

import {
  core, T, CTX, ensureCore, memory, views, viewsTo, words, peekToken, park, releaseSlot, dropWait, withdrawWhenAborted, slotFn, slotAux,
  markShared, forEachSharedWait, RESOLVED, Reclaimer, K_RECV, K_RECV_OK, K_ITER, K_SEND, K_SELECT,
  CTX_LAST_POS, CTX_FIRED, R_BUFFERED, R_HANDOFF, R_BLOCKED, R_WOULD_BLOCK, R_CLOSED,
  R_BUFFERED_SENDER, R_DONE, R_BUSY, E_RANGE, T_STAGE_IN, T_STAGE_OUT, T_DEFERRED, C_CAP, C_FLAGS, F_CLOSED, MAX_CAP, sharedMemory,
  C_COUNT, C_HEAD, C_TAIL, C_RECVQ_HEAD, C_SENDQ_HEAD, W_SLOT,
} from "./core.js";
import { PanicError, coreFailure } from "./errors.js";
import { stageValue, takeValue, dropValue } from "./values.js";
import { registerHostKind } from "./codec.js";
import { watchInbox, pollInbox } from "./inbox.js";
import { macrotask } from "./macrotask.js";
import { settle, resolvedNow } from "./preempt.js";
import { tracer, traceHandoff, traceTakeFromSender, traceBuffered, traceUnbuffered, tracedNow, setChannelTracing } from "./trace.js";
import { liveChildren } from "./thread.js";

/** A case of a parked select, as the wake paths here see it (select.ts defines the classes). */
interface ParkedCase {
  value: unknown;
  ok: boolean;
  parkedIn: unknown;
  readonly isSend: number;
}

/** A parked select fired: frees its cases for other selects and returns the index of the case
 *  that fired, which the core left in this thread's context. */
function fireSelect(cases: ParkedCase[]): number {
  for (let i = 0; i < cases.length; i++) cases[i]!.parkedIn = null;
  return words()[CTX + CTX_FIRED]!;
}

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;

const RESOLVED_UNDEFINED: Promise<undefined> = Promise.resolve(undefined);

function sendOnClosed(): PanicError {
  return new PanicError("send on closed channel");
}

function recvResult(kind: number, v: unknown, ok: boolean): unknown {
  if (kind === K_RECV) return v;
  if (kind === K_RECV_OK) return [v, ok];
  return ok ? { value: v, done: false } : DONE;
}

/** Byte address of this thread's STAGE_IN value slot (the value of the next shared send). */
function stageIn(): number {
  return (CTX << 2) + T_STAGE_IN;
}

/** Byte address of this thread's STAGE_OUT value slot (the value the last shared receive took). */
function stageOut(): number {
  return (CTX << 2) + T_STAGE_OUT;
}

// Woken operations on buffered channels are settled from a ready queue, in one microtask after
// the waker's synchronous code, so that the waker goes on first, as a Go goroutine that readies
// another keeps running: a producer then runs ahead into the buffer instead of handing each value
// to a parked consumer. On unbuffered channels every value is a handoff anyway, and the parked
// side is settled at once.
const readyFn: ((v: unknown) => void)[] = [];
const readyVal: unknown[] = [];
let readyScheduled = false;

function ready(fn: (v: unknown) => void, v: unknown): void {
  readyFn.push(fn);
  readyVal.push(v);
  if (!readyScheduled) {
    readyScheduled = true;
    queueMicrotask(flushReady);
  }
}

function flushReady(): void {
  // Settling a promise runs no user code, so nothing is added to the queue while this loop runs.
  for (let i = 0; i < readyFn.length; i++) readyFn[i]!(readyVal[i]);
  readyFn.length = 0;
  readyVal.length = 0;
  readyScheduled = false;
}

/** Completes the parked receiver of `token` with `v` (ok false: the channel closed), at once or,
 *  with `defer`, from the ready queue. */
function wakeReceiver(token: number, v: unknown, ok: boolean, defer: boolean): void {
  const kind = token & 7;
  const s = token >>> 3;
  const fn = slotFn[s]!;
  const aux = slotAux[s];
  releaseSlot(token);
  if (kind === K_SELECT) {
    const cases = aux as ParkedCase[];
    const i = fireSelect(cases);
    cases[i]!.value = v;
    cases[i]!.ok = ok;
    fn(i);
  } else if (defer) {
    ready(fn, recvResult(kind, v, ok));
  } else {
    fn(recvResult(kind, v, ok));
  }
}

/** Completes the parked sender of `token` and returns its value (a local channel's: a shared
 *  channel's value was copied into the shared memory when it parked). */
function takeFromSender(token: number, defer: boolean): unknown {
  const s = token >>> 3;
  const fn = slotFn[s]!;
  const aux = slotAux[s];
  releaseSlot(token);
  if ((token & 7) === K_SELECT) {
    const i = fireSelect(aux as ParkedCase[]);
    fn(i);
    return (aux as ParkedCase[])[i]!.value;
  }
  if (defer) ready(fn, undefined);
  else fn(undefined);
  return aux;
}

/** Fails the parked sender of `token`: its channel closed. */
function failSender(token: number): void {
  const s = token >>> 3;
  const fn = slotFn[s]!;
  const aux = slotAux[s];
  releaseSlot(token);
  if ((token & 7) === K_SELECT) fireSelect(aux as ParkedCase[]);
  fn(Promise.reject(sendOnClosed())); // the send's (or select's) promise adopts the rejection
}

/** Completes a wait of this thread's that another thread completed (inbox.ts): `r` is the
 *  core's inboxNext result, R_HANDOFF (done; a received value is in STAGE_OUT) or R_CLOSED. */
export function completeRemote(r: number): void {
  const token = r >>> 4;
  const closed = (r & 15) === R_CLOSED;
  const kind = token & 7;
  let isSend = kind === K_SEND;
  if (kind === K_SELECT) {
    const cases = slotAux[token >>> 3] as ParkedCase[];
    isSend = cases[words()[CTX + CTX_FIRED]!]!.isSend !== 0;
  }
  if (isSend) {
    if (closed) failSender(token);
    else takeFromSender(token, false);
  } else if (closed) {
    wakeReceiver(token, undefined, false, false);
  } else {
    wakeReceiver(token, takeValue(stageOut()), true, false);
  }
}

// A local channel's core record is freed once its JS object has been garbage collected.
// Waits still parked on it can never complete: their slots are let go (the core hands back their
// tokens), with the promises and closures they hold.
const channels = new Reclaimer((id) => {
  for (;;) {
    const token = core.chanDropNext(T, id);
    if (token < 0) break;
    dropWait(token); // its promise is never settled
  }
  core.chanFree(T, id);
});

// A shared channel is held by this thread while any of its Chan objects here is alive: `holds`
// counts them, and the last one's collection lets go of it (the core frees it once no thread
// holds it).
const holds = new Map<number, number>();
const sharedChannels = new Reclaimer((id) => {
  const n = holds.get(id)! - 1;
  if (n > 0) holds.set(id, n);
  else {
    holds.delete(id);
    core.shRelease(T, id);
  }
});

/** Lets go of collected shared channels — unless a select of this thread's is still being torn
 *  down (assembly/select.ts, DEFERRED): its waiters may still point at such a channel, which
 *  must outlive them. */
function sweepShared(): void {
  if (views().i32[CTX + (T_DEFERRED >> 2)] === 0) sharedChannels.sweep();
}

/** Frees the core records of channels that have been garbage collected. */
export function freeDeadChannels(): void {
  if (core === undefined) return; // no core yet: no channel either
  channels.sweep();
  sweepShared();
}

/** Shared channels whose handle this thread gave out (by address). */
const exported = new Set<number>();

/** True if a parked wait of this thread's can still be woken by another thread: another live
 *  thread holds its channel, or this thread gave out the channel's handle while a worker it
 *  started lives (the handle may be on its way there). */
export function sharedWaitsWakeable(): boolean {
  let any = false;
  const wakeable = (ch: unknown): boolean => {
    if (!(ch instanceof Chan) || !sharedOf(ch)) return false;
    const id = idOf(ch);
    return core.shHeldByOthers(T, id) === 1 || (liveChildren > 0 && exported.has(id));
  };
  forEachSharedWait((aux) => {
    if (any) return;
    if (aux instanceof Chan) any = wakeable(aux);
    else if (Array.isArray(aux)) for (const c of aux as { ch: unknown }[]) if (wakeable(c.ch)) any = true;
  });
  return any;
}

/**
 * A description of a shared channel that can be posted to another thread (it is structured-
 * cloneable: it holds the shared memory) and attached there with {@link attach}.
 */
export interface ChanHandle<T> {
  /** Marks the object as a channel handle. */
  readonly kind: "batonjs.chan";
  /** The shared memory the channel lives in. */
  readonly memory: WebAssembly.Memory;
  /** @internal */
  readonly addr: number;
  /** @internal */
  readonly gen: number;
  /** @internal The element type (never set; it keeps T in the type, bivariantly). */
  __elem?(v: T): void;
}

/**
 * The send side of a channel: Go's `chan<- T`. A {@link Chan} is assignable to it; it is not
 * assignable back.
 *
 * @example
 * ```ts
 * async function produce(out: SendChan<number>) { for (let i = 0; i < 3; i++) await out.send(i); out.close(); }
 * ```
 */
export interface SendChan<in T> {
  /** `ch <- v`: resolves once a receiver took `v` or it is buffered; rejects with
   *  `PanicError("send on closed channel")` if the channel is or gets closed. With
   *  `{ signal }`, a send still waiting when the signal aborts is withdrawn (nothing sent) and
   *  rejects with `signal.reason`. */
  send(v: T, options?: WaitOptions): Promise<void>;
  /** Sends only if that needs no waiting; false otherwise. Throws PanicError on a closed channel. */
  trySend(v: T): boolean;
  /** `for (const v of values) await ch.send(v)` with one promise for the batch: the same order,
   *  waits and errors (on a closed channel it rejects with `PanicError("send on closed
   *  channel")`, and the values before the failing one were sent). Other senders' values may
   *  interleave. The iterable is read one value at a time, as the loop reads it. With
   *  `{ signal }`, an abort withdraws the value waiting to be sent (the ones before it were
   *  sent, none after it is) and rejects with `signal.reason`. */
  sendMany(values: Iterable<T>, options?: WaitOptions): Promise<void>;
  /** `close(ch)`: wakes every waiting receiver and rejects every waiting sender. */
  close(): void;
  /** Values in the buffer. */
  readonly len: number;
  /** Buffer capacity. */
  readonly cap: number;
  /** A description of this shared channel to post to another thread ({@link attach} it there).
   *  Throws TypeError on a local channel. */
  handle(): ChanHandle<T>;
}

/**
 * The receive side of a channel: Go's `<-chan T`. A {@link Chan} is assignable to it; it is not
 * assignable back.
 *
 * @example
 * ```ts
 * async function consume(in_: RecvChan<number>) { for await (const v of in_) console.log(v); }
 * ```
 */
export interface RecvChan<out T> {
  /** `<-ch`: the next value, or `undefined` once the channel is closed and drained. With
   *  `{ signal }`, a receive still waiting when the signal aborts is withdrawn (nothing taken)
   *  and rejects with `signal.reason`: the safe form of `Promise.race([ch.recv(), timeout])`. */
  recv(options?: WaitOptions): Promise<T | undefined>;
  /** `v, ok := <-ch`: ok is false only once the channel is closed and drained. Takes
   *  `{ signal }` as recv does. */
  recvOk(options?: WaitOptions): Promise<[T | undefined, boolean]>;
  /** Receives only if that needs no waiting: `[v, ok]`, or `undefined` where it would wait. */
  tryRecv(): [T | undefined, boolean] | undefined;
  /** Waits until at least one value can be received (or the channel is closed), then takes up to
   *  `max` values that can be received without waiting, in order. Resolves to `[]` only once the
   *  channel is closed and drained. `max` not a positive safe integer: rejects with RangeError.
   *  With `{ signal }`, a wait still pending when the signal aborts is withdrawn (nothing taken)
   *  and rejects with `signal.reason`. */
  recvMany(max: number, options?: WaitOptions): Promise<T[]>;
  /** The values `recvMany(max)` would take now, without waiting: `[]` where nothing can be
   *  received now (or the channel is closed and drained). Throws RangeError for a bad `max`. */
  tryRecvMany(max: number): T[];
  /** `for v := range ch`: ends once the channel is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T>;
  /** Values in the buffer. */
  readonly len: number;
  /** Buffer capacity. */
  readonly cap: number;
  /** A description of this shared channel to post to another thread ({@link attach} it there).
   *  Throws TypeError on a local channel. */
  handle(): ChanHandle<T>;
}


/** Options of a channel operation that may wait. */
export interface WaitOptions {
  /** Withdraws the operation if it aborts before the operation completes: the operation then
   *  rejects with `signal.reason`, and no value was taken or sent. An already-aborted signal
   *  rejects at once. A context's `ctx.signal` works too. */
  signal?: AbortSignal;
}

/** For an operation given `options`: null to go on, or what to reject with at once (bad options,
 *  or a signal that has aborted already). */
export function refusal(options: WaitOptions, op: string): { reason: unknown } | null {
  if (options === null || typeof options !== "object") {
    return { reason: new TypeError(`${op}: options must be an object such as { signal }`) };
  }
  const signal = options.signal;
  if (signal === undefined) return null;
  if (typeof AbortSignal === "undefined" || !(signal instanceof AbortSignal)) {
    return { reason: new TypeError(`${op}: options.signal must be an AbortSignal (or a context's ctx.signal)`) };
  }
  return signal.aborted ? { reason: signal.reason } : null;
}

/** Withdraws the plain receive or send just parked under `token` on `ch` (promise `p`) if
 *  `signal` aborts first. */
function withdrawOnAbort(ch: Chan<any>, token: number, isSend: number, signal: AbortSignal, p: Promise<unknown>): void {
  withdrawWhenAborted(token, signal, p, () => core.chanCancel(T, idOf(ch), token, isSend));
}

const KEY = {};
/** @internal The key of channels whose values live outside the core (batonjs/nats; foreign.ts): a
 *  subclass passes it with id 0, which the core takes for a nil channel, and overrides every
 *  method. select finds such a channel by its id 0. */
export const FOREIGN_KEY = {};
const M_LOCAL = 0;
const M_SHARED = 1;
const M_RECV_ONLY = 2;
const M_TIMER = 3; // receive-only, fed by a timer that its reads and waits consult (TimerChan)
/** The buffer of every unbuffered local channel: never written. */
const NO_BUF: unknown[] = [];
let idOf: (ch: Chan<any>) => number;
let sharedOf: (ch: Chan<any>) => boolean;
let recvOnlyOf: (ch: Chan<any>) => boolean;
/** Whether a channel lives in this thread (any mode but shared): its value arrows can be drawn. */
let localOf: (ch: Chan<any>) => boolean;
/** The timer of a timer's channel (time.ts), or null for any other channel. */
let timerOf: (ch: Chan<any>) => ChanTimer | null;
/** trySend on a receive-only channel, for the baton code that feeds it (time.ts). */
let sendInternal: <T>(ch: Chan<T>, v: T) => boolean;
/** close() of a receive-only channel, for the baton code that owns it (context.ts). */
let closeInternal: (ch: Chan<any>) => void;

/** @internal The error for a send or close on a channel baton hands out receive-only. */
export function recvOnly(op: string): TypeError {
  return new TypeError(
    `${op}: this channel is receive-only (baton hands out ctx.done(), after(), tick() and a timer's or ticker's .c as RecvChan)`,
  );
}

/**
 * A channel: Go's `chan T`. Make one with {@link chan}, or {@link attach} a shared one.
 *
 * @example
 * ```ts
 * const ch = chan<string>(1);
 * await ch.send("hello");
 * console.log(await ch.recv()); // "hello"
 * ```
 */
export class Chan<in out T> implements SendChan<T>, RecvChan<T> {
  readonly #id: number;
  readonly #cap: number;
  /** M_LOCAL, M_SHARED (in the shared memory, usable from other threads), M_RECV_ONLY (a local
   *  channel that only baton sends on and closes, such as a context's done(); receive-only at run
   *  time, as its RecvChan type says) or M_TIMER (a receive-only channel that a timer feeds: a
   *  TimerChan). One field: a channel is kept small. */
  readonly #mode: number;
  readonly #buf: unknown[];

  static {
    idOf = (ch) => ch.#id;
    sharedOf = (ch) => ch.#mode === M_SHARED;
    recvOnlyOf = (ch) => ch.#mode >= M_RECV_ONLY;
    localOf = (ch) => ch.#mode === M_LOCAL || ch.#mode === M_RECV_ONLY || ch.#mode === M_TIMER;
    timerOf = (ch) => (ch.#mode === M_TIMER ? (ch as TimerChan<unknown>).timer : null);
    sendInternal = (ch, v) => ch.#trySend(v);
    closeInternal = (ch) => ch.#close();
  }

  /** Parks a plain receive or send (value v) of this local channel under `token`, which the core
   *  has just queued. A receive-only channel is fed by baton: the slot table keeps it alive while
   *  a receive waits on it; a timer's is told of the wait (it must fire while one waits). */
  #park(token: number, v: unknown): Promise<any> {
    if (this.#mode === M_LOCAL) return park(token, v);
    const p = park(token, this);
    if (this.#mode === M_TIMER) (this as unknown as TimerChan<T>).timer.block(token);
    return p;
  }

  /** @internal Use {@link chan} or {@link attach}. */
  constructor(key: unknown, id: number, cap: number, shared: boolean, recvOnly = false, timer = false) {
    if (key !== KEY && (key !== FOREIGN_KEY || id !== 0)) throw new TypeError("baton: channels are made with chan() or attach()");
    this.#id = id;
    this.#cap = cap;
    this.#mode = shared ? M_SHARED : timer ? M_TIMER : recvOnly ? M_RECV_ONLY : M_LOCAL;
    // An unbuffered channel never buffers a value: it shares one empty array.
    this.#buf = cap === 0 ? NO_BUF : [];
  }

  get len(): number {
    if (this.#mode === M_TIMER) (this as unknown as TimerChan<T>).timer.ripen();
    const n = core.chanLen(this.#id);
    if (n < 0) throw badChannel("len");
    return n;
  }

  /** @internal Finishes a send that the core performed (result r: R_BUFFERED, R_HANDOFF or
   *  R_DONE): puts a local value where it goes, and completes a receiver of this thread's that
   *  it woke. */
  sendDone(r: number, v: unknown): void {
    const code = r & 15;
    if (code === R_BUFFERED) this.#buf[r >>> 4] = v;
    else if (code === R_HANDOFF) {
      if (this.#mode === M_SHARED) wakeReceiver(r >>> 4, takeValue(stageOut()), true, false);
      else wakeReceiver(r >>> 4, v, true, this.#cap !== 0);
    }
  }

  /** @internal Finishes a receive that the core performed (result r: R_BUFFERED, R_HANDOFF,
   *  R_BUFFERED_SENDER or R_DONE): returns the value received, completing a sender of this
   *  thread's that it took. */
  recvDone(r: number): unknown {
    switch (r & 15) {
      case R_BUFFERED: {
        const buf = this.#buf;
        const pos = r >>> 4;
        const v = buf[pos];
        buf[pos] = undefined;
        return v;
      }
      case R_HANDOFF:
        if (this.#mode === M_SHARED) {
          const v = takeValue(stageOut());
          takeFromSender(r >>> 4, false);
          return v;
        }
        return takeFromSender(r >>> 4, false);
      case R_BUFFERED_SENDER: {
        // The head value goes to the receiver; the parked sender's value takes its place, which
        // the core has made the tail.
        const pos = words()[CTX + CTX_LAST_POS]!;
        const buf = this.#buf;
        const v = buf[pos];
        buf[pos] = takeFromSender(r >>> 4, true);
        return v;
      }
      default: // R_DONE
        return takeValue(stageOut());
    }
  }

  get cap(): number {
    return this.#cap;
  }

  send(v: T, options?: WaitOptions): Promise<void> {
    if (options !== undefined) {
      const no = refusal(options, "send");
      if (no !== null) return Promise.reject(no.reason);
    }
    if (this.#mode !== M_LOCAL) return this.#mode === M_SHARED ? this.#sendShared(v, options) : Promise.reject(recvOnly("send"));
    const token = peekToken(K_SEND);
    const r = core.chanSend(T, this.#id, token, 1);
    const code = r & 15;
    if (code === R_BUFFERED) {
      this.#buf[r >>> 4] = v;
      // Not counted for preemption (preempt.ts): a loop of buffered sends fills the buffer and
      // waits, unless a receiver drains it, and the receiver's operations count.
      return RESOLVED;
    }
    if (code === R_HANDOFF) {
      wakeReceiver(r >>> 4, v, true, this.#cap !== 0);
      return settle(RESOLVED, undefined);
    }
    if (code === R_BLOCKED) {
      return options === undefined || options.signal === undefined
        ? this.#park(token, v)
        : this.#parkAbortable(token, v, 1, options.signal);
    }
    return Promise.reject(code === R_CLOSED ? sendOnClosed() : coreFailure(code));
  }

  #sendShared(v: T, options: WaitOptions | undefined): Promise<void> {
    const at = stageIn();
    try {
      stageValue(v, at);
    } catch (e) {
      return Promise.reject(e);
    }
    const token = peekToken(K_SEND);
    const r = core.shSend(T, this.#id, token, 1);
    const code = r & 15;
    if (code === R_DONE || code === R_HANDOFF) {
      this.sendDone(r, v);
      pollInbox();
      return settle(RESOLVED, undefined);
    }
    if (code === R_BLOCKED) {
      const p = parkShared(token, this);
      if (options !== undefined && options.signal !== undefined) withdrawOnAbort(this, token, 1, options.signal, p);
      return p;
    }
    dropValue(at);
    if (code === R_BUSY) {
      return later(() => this.#sendShared(v, options), options?.signal);
    }
    return Promise.reject(code === R_CLOSED ? sendOnClosed() : coreFailure(code));
  }

  trySend(v: T): boolean {
    if (this.#mode >= M_RECV_ONLY) throw recvOnly("trySend");
    return this.#trySend(v);
  }

  #trySend(v: T): boolean {
    let r: number;
    if (this.#mode === M_SHARED) {
      const at = stageIn();
      stageValue(v, at);
      r = core.shSend(T, this.#id, 0, 0);
      const code = r & 15;
      if (code !== R_DONE && code !== R_HANDOFF) dropValue(at);
      pollInbox();
    } else {
      r = core.chanSend(T, this.#id, 0, 0);
    }
    switch (r & 15) {
      case R_BUFFERED:
      case R_HANDOFF:
      case R_DONE:
        this.sendDone(r, v);
        return true;
      case R_BUSY:
        // The lock stayed taken (its holder preempted, or ended): an operation that never waits
        // answers without it. A closed channel is known without the lock (its flag is set with
        // one atomic OR).
        if (this.#closedNow()) throw sendOnClosed();
        return false;
      case R_WOULD_BLOCK:
        return false;
      case R_CLOSED:
        throw sendOnClosed();
      default:
        throw coreFailure(r & 15);
    }
  }

  recv(options?: WaitOptions): Promise<T | undefined> {
    if (options !== undefined) return this.#recvAbortable(K_RECV, options);
    return this.#recv(K_RECV, undefined);
  }

  recvOk(options?: WaitOptions): Promise<[T | undefined, boolean]> {
    if (options !== undefined) return this.#recvAbortable(K_RECV_OK, options);
    return this.#recv(K_RECV_OK, undefined);
  }

  #recvAbortable(kind: number, options: WaitOptions): Promise<any> {
    const no = refusal(options, kind === K_RECV ? "recv" : "recvOk");
    if (no !== null) return Promise.reject(no.reason);
    return this.#recv(kind, options.signal);
  }

  #recv(kind: number, signal: AbortSignal | undefined): Promise<any> {
    if (this.#mode !== M_LOCAL) {
      if (this.#mode === M_SHARED) return this.#recvShared(kind, signal);
      if (this.#mode === M_TIMER) (this as unknown as TimerChan<T>).timer.ripen();
    }
    const token = peekToken(kind);
    const r = core.chanRecv(T, this.#id, token, 1);
    switch (r & 15) {
      case R_BLOCKED:
        return signal === undefined ? this.#park(token, undefined) : this.#parkAbortable(token, undefined, 0, signal);
      case R_HANDOFF:
        return resolvedNow(recvResult(kind, takeFromSender(r >>> 4, false), true));
      case R_BUFFERED:
      case R_BUFFERED_SENDER:
        return resolvedNow(recvResult(kind, this.recvDone(r), true));
      case R_CLOSED:
        return kind === K_RECV ? settle(RESOLVED_UNDEFINED, undefined) : resolvedNow(recvResult(kind, undefined, false));
      default:
        return Promise.reject(coreFailure(r & 15));
    }
  }

  #parkAbortable(token: number, v: unknown, isSend: number, signal: AbortSignal): Promise<any> {
    const p = this.#park(token, v);
    withdrawOnAbort(this, token, isSend, signal, p);
    return p;
  }

  #recvShared(kind: number, signal: AbortSignal | undefined): Promise<any> {
    const token = peekToken(kind);
    const r = core.shRecv(T, this.#id, token, 1);
    let v: unknown;
    switch (r & 15) {
      case R_DONE:
      case R_HANDOFF:
        v = recvResult(kind, this.recvDone(r), true);
        pollInbox();
        break;
      case R_CLOSED:
        v = recvResult(kind, undefined, false);
        break;
      case R_BLOCKED: {
        const p = parkShared(token, this);
        if (signal !== undefined) withdrawOnAbort(this, token, 0, signal, p);
        return p;
      }
      case R_BUSY:
        return later(() => this.#recvShared(kind, signal), signal);
      default:
        return Promise.reject(coreFailure(r & 15));
    }
    return resolvedNow(v);
  }

  tryRecv(): [T | undefined, boolean] | undefined {
    let r: number;
    if (this.#mode === M_LOCAL) r = core.chanRecv(T, this.#id, 0, 0);
    else {
      if (this.#mode === M_TIMER) (this as unknown as TimerChan<T>).timer.ripen();
      r = this.#mode === M_SHARED ? core.shRecv(T, this.#id, 0, 0) : core.chanRecv(T, this.#id, 0, 0);
    }
    switch (r & 15) {
      case R_BUFFERED:
      case R_HANDOFF:
      case R_BUFFERED_SENDER:
      case R_DONE: {
        const v = this.recvDone(r) as T;
        if (this.#mode === M_SHARED) pollInbox();
        return [v, true];
      }
      case R_CLOSED:
        return [undefined, false];
      case R_BUSY:
        // As trySend: a closed channel with nothing left in it answers without the lock (no
        // value can be added after the close).
        if (this.#closedNow() && core.chanLen(this.#id) === 0) return [undefined, false];
        return undefined;
      case R_WOULD_BLOCK:
        if (this.#mode === M_SHARED) pollInbox();
        return undefined;
      default:
        throw coreFailure(r & 15);
    }
  }

  // ── batches ──────────────────────────────────────────────────────────────────────────────
  // A batch is the loop it replaces, done without a promise per value: each value is sent or
  // received exactly as send() or tryRecv() would, and a local channel's buffer is filled or
  // drained in one core call per contiguous run (chanSendN, chanRecvN), which never takes a
  // parked peer: a value that meets one (a waiting receiver, a sender waiting on a full buffer)
  // goes through the one-value path. Only a wait costs a promise, and the batch goes on after it.

  sendMany(values: Iterable<T>, options?: WaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const no = refusal(options, "sendMany");
      if (no !== null) return Promise.reject(no.reason);
      signal = options.signal;
    }
    if (this.#mode >= M_RECV_ONLY) return Promise.reject(recvOnly("sendMany"));
    if (values === null || values === undefined || typeof (values as Iterable<T>)[Symbol.iterator] !== "function") {
      return Promise.reject(new TypeError("sendMany: values must be iterable (an array, a Set, a generator, ...)"));
    }
    if (Array.isArray(values)) return this.#sendArray(values as T[], 0, signal);
    let it: Iterator<T>;
    try {
      it = values[Symbol.iterator]();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#sendIter(it, signal);
  }

  /** Sends values[i..] (an array: read by index, as for-of reads an array). */
  #sendArray(values: readonly T[], i: number, signal: AbortSignal | undefined): Promise<void> {
    const opts = signal === undefined ? undefined : { signal };
    while (i < values.length) {
      if (this.#mode === M_LOCAL && this.#cap !== 0) {
        const r = core.chanSendN(T, this.#id, values.length - i);
        if ((r & 15) === R_BUFFERED) {
          const k = r >>> 4;
          const buf = this.#buf;
          const cap = this.#cap;
          let pos = words()[CTX + CTX_LAST_POS]!;
          if (tracer.on) for (let j = 0, q = pos; j < k; j++, q = q + 1 === cap ? 0 : q + 1) traceBuffered(this.#id, q);
          for (let j = 0; j < k; j++) {
            buf[pos] = values[i++];
            if (++pos === cap) pos = 0;
          }
          continue;
        }
      }
      const p = this.send(values[i++] as T, opts);
      if (p !== RESOLVED) {
        if (i === values.length) return p;
        return p.then(() => (signal !== undefined && signal.aborted ? Promise.reject(signal.reason) : this.#sendArray(values, i, signal)));
      }
    }
    return settle(RESOLVED, undefined);
  }

  /** Sends what iterator `it` yields, one value at a time. */
  #sendIter(it: Iterator<T>, signal: AbortSignal | undefined): Promise<void> {
    const opts = signal === undefined ? undefined : { signal };
    for (;;) {
      let step: IteratorResult<T>;
      try {
        step = it.next();
      } catch (e) {
        return Promise.reject(e);
      }
      if (step.done === true) return settle(RESOLVED, undefined);
      const p = this.send(step.value, opts);
      if (p !== RESOLVED) {
        return p.then(
          () => (signal !== undefined && signal.aborted ? Promise.reject(signal.reason) : this.#sendIter(it, signal)),
          (e: unknown) => {
            // As a for-of loop left by a throw: the iterator is closed.
            try {
              it.return?.();
            } catch {
              // the send's error is the one reported
            }
            throw e;
          },
        );
      }
    }
  }

  recvMany(max: number, options?: WaitOptions): Promise<T[]> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const no = refusal(options, "recvMany");
      if (no !== null) return Promise.reject(no.reason);
      signal = options.signal;
    }
    if (!isBatchSize(max)) return Promise.reject(badBatchSize("recvMany", max));
    const got: T[] = [];
    if (this.#takeInto(got, max) || got.length > 0) return resolvedNow(got);
    return this.#recv(K_RECV_OK, signal).then(([v, ok]: [T, boolean]) => {
      if (!ok) return [];
      const out = [v];
      if (max > 1) this.#takeInto(out, max);
      return out;
    });
  }

  tryRecvMany(max: number): T[] {
    if (!isBatchSize(max)) throw badBatchSize("tryRecvMany", max);
    const got: T[] = [];
    this.#takeInto(got, max);
    return got;
  }

  /** Appends to `out` the values that can be received now, until it holds `max`; true if it
   *  stopped at a closed and drained channel. */
  #takeInto(out: T[], max: number): boolean {
    while (out.length < max) {
      if (this.#mode === M_LOCAL && this.#cap !== 0) {
        const r = core.chanRecvN(T, this.#id, max - out.length);
        if ((r & 15) === R_BUFFERED) {
          const k = r >>> 4;
          const buf = this.#buf;
          const cap = this.#cap;
          let pos = words()[CTX + CTX_LAST_POS]!;
          if (tracer.on) for (let j = 0, q = pos; j < k; j++, q = q + 1 === cap ? 0 : q + 1) traceUnbuffered(this.#id, q);
          for (let j = 0; j < k; j++) {
            out.push(buf[pos] as T);
            buf[pos] = undefined;
            if (++pos === cap) pos = 0;
          }
          continue;
        }
      }
      const one = this.tryRecv();
      if (one === undefined) return false;
      if (!one[1]) return true;
      out.push(one[0] as T);
    }
    return false;
  }

  /** @internal Whether this shared channel is closed, read without its lock. */
  closedNow(): boolean {
    return this.#closedNow();
  }

  /** Whether this shared channel is closed, read without its lock. */
  #closedNow(): boolean {
    return (Atomics.load(viewsTo(this.#id + C_FLAGS + 4).i32, (this.#id + C_FLAGS) >> 2) & F_CLOSED) !== 0;
  }

  close(): void {
    if (this.#mode >= M_RECV_ONLY) throw recvOnly("close");
    this.#close();
  }

  #close(): void {
    const r = core.chanClose(T, this.#id);
    if (r === R_CLOSED) throw new PanicError("close of closed channel");
    if (r !== 0) throw coreFailure(r);
    this.#wakeClosed();
  }

  // Wakes the waiters of this closed channel. A shared channel whose lock stayed taken is
  // finished later: the channel is closed already (every send fails), only the wake-ups wait.
  #wakeClosed(): void {
    for (;;) {
      const w = core.chanCloseNext(T, this.#id);
      if (w === -2) {
        macrotask(() => this.#wakeClosed());
        return;
      }
      if (w < 0) break;
      if ((w & 1) !== 0) failSender(w >>> 1);
      else wakeReceiver(w >>> 1, undefined, false, false);
    }
  }

  handle(): ChanHandle<T> {
    if (this.#mode !== M_SHARED) {
      throw new TypeError(
        "handle: this channel is local to its thread; create it with chan(capacity, { shared: true }) to use it from other threads",
      );
    }
    exported.add(this.#id);
    return { kind: "batonjs.chan", memory: memory!, addr: this.#id, gen: core.shGen(this.#id) };
  }

  /** `for v := range ch`: ends once the channel is closed and drained. Leaving the loop early
   *  neither closes the channel nor loses a value. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new ChanIterator<T>(this);
  }

  /** @internal */
  iterNext(): Promise<IteratorResult<T>> {
    return this.#recv(K_ITER, undefined);
  }

  /** @internal recv() for baton's own daemons (a pool's event loop): a wait that does not keep
   *  the process alive. Shared channels only. */
  recvDaemon(): Promise<T | undefined> {
    const token = peekToken(K_RECV);
    const r = core.shRecv(T, this.#id, token, 1);
    switch (r & 15) {
      case R_DONE:
      case R_HANDOFF:
        return Promise.resolve(this.recvDone(r) as T);
      case R_CLOSED:
        return RESOLVED_UNDEFINED;
      case R_BLOCKED: {
        const p = park(token, this);
        markShared(token, true);
        watchInbox(true);
        return p;
      }
      case R_BUSY:
        return later(() => this.recvDaemon());
      default:
        return Promise.reject(coreFailure(r & 15));
    }
  }
}

/** Runs `op` again after a macrotask: a shared channel's lock stayed taken, and the thread that
 *  holds it may have ended, which this thread's event loop must run to learn (thread.ts). If
 *  `signal` has aborted meanwhile, rejects with its reason instead. */
export function later<R>(op: () => Promise<R>, signal?: AbortSignal): Promise<R> {
  return new Promise<R>((resolve, reject) =>
    macrotask(() => {
      if (signal !== undefined && signal.aborted) {
        reject(signal.reason);
        return;
      }
      try {
        resolve(op());
      } catch (e) {
        reject(e); // select's checks throw synchronously
      }
    }),
  );
}

/** Parks a wait on shared channel `ch` (which its slot keeps alive meanwhile) under `token`. */
function parkShared(token: number, ch: Chan<any>): Promise<any> {
  const p = park(token, ch);
  markShared(token);
  watchInbox();
  return p;
}

export { idOf, sharedOf, recvOnlyOf, timerOf, sendInternal, closeInternal };

/** The error for a channel the core does not know (never expected: a channel's record lives as
 *  long as its Chan object). */
function badChannel(op: string): Error {
  return new Error(`${op}: the core has no live channel for this Chan (its record was freed or overwritten); this is a bug in baton`);
}

function isBatchSize(max: unknown): max is number {
  return typeof max === "number" && Number.isSafeInteger(max) && max > 0;
}

function badBatchSize(op: string, max: unknown): RangeError {
  return new RangeError(`${op}: max must be a positive safe integer, got ${typeof max === "number" ? max : typeof max}`);
}

class ChanIterator<T> implements AsyncIterator<T> {
  constructor(private readonly ch: Chan<T>) {}
  next(): Promise<IteratorResult<T>> {
    return this.ch.iterNext();
  }
  // Leaving a for-await loop early calls return(): the channel stays open and nothing was taken
  // beyond what the loop received.
  return(): Promise<IteratorResult<T>> {
    return Promise.resolve(DONE);
  }
}

/** Options of {@link chan}. */
export interface ChanOptions {
  /** Make the channel in the shared memory, usable from other threads (see {@link attach}).
   *  Its values are copied at send, with structured-clone semantics. */
  shared?: boolean;
}

/**
 * `make(chan T, capacity)`: a new channel; capacity 0 (the default) is unbuffered.
 * Throws `RangeError` ("makechan: size out of range") unless capacity is a non-negative safe
 * integer the core can hold (below 2^28). With `{ shared: true }` the channel lives in the shared
 * memory and can be passed to workers with {@link Chan.handle}.
 *
 * @example
 * ```ts
 * const done = chan<void>();
 * go(async () => { await work(); done.close(); });
 * await done.recv();
 * const jobs = chan<Job>(64, { shared: true }); // usable from workers too
 * ```
 */
export function chan<T = unknown>(capacity: number = 0, options?: ChanOptions): Chan<T> {
  if (typeof capacity !== "number" || !Number.isSafeInteger(capacity) || capacity < 0) {
    throw new RangeError(`makechan: size out of range (capacity ${String(capacity)})`);
  }
  if (capacity > MAX_CAP) {
    throw new RangeError(`makechan: size out of range (capacity ${capacity}; at most ${MAX_CAP})`);
  }
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError("chan: options must be an object such as { shared: true }");
  }
  if (core === undefined) ensureCore();
  if (options !== undefined && options.shared === true) return sharedChan<T>(capacity);
  return localChan<T>(capacity, false);
}

/** A new local channel (capacity already checked), receive-only at run time if `recvOnly`; a
 *  timer's (TimerChan) if `timer` is given. */
function localChan<T>(capacity: number, recvOnly: boolean, timer: ChanTimer | null = null): Chan<T> {
  if (core === undefined) ensureCore();
  channels.sweep();
  const id = core.chanNew(T, capacity);
  if (id === E_RANGE) throw new RangeError(`makechan: size out of range (capacity ${capacity})`);
  if (id < 0) throw coreFailure(7);
  const ch = timer === null ? new Chan<T>(KEY, id, capacity, false, recvOnly) : new TimerChan<T>(KEY, id, timer);
  channels.register(ch, id);
  if (++made === BALLAST_EVERY) {
    made = 0;
    ballast.set(ch, new ArrayBuffer(BALLAST_BYTES));
  }
  return ch;
}

// V8 decides when to collect from the JS heap and from the external memory it is told of; the
// core's records are neither, and a program that drops channels quickly (with waits parked on
// them) could fill the core before V8 saw a reason for a major collection, the only one that
// finalizes channels. So every BALLAST_EVERY-th local channel carries an ArrayBuffer as large as
// the core memory that many channels hold (a record and a waiter, ~192 bytes each): external
// memory that V8 counts, and that dies with the channels. Its pages are never touched.
const BALLAST_EVERY = 1024;
const BALLAST_BYTES = BALLAST_EVERY * 192;
const ballast = new WeakMap<object, ArrayBuffer>();
let made = 0;

/** @internal A local channel that only baton sends on and closes (a context's done()):
 *  receive-only at run time. */
export function recvOnlyChan<T>(capacity: number): Chan<T> {
  return localChan<T>(capacity, true);
}

/** What a timer's channel asks of its timer (time.ts), as Go's channel code asks c.timer
 *  (runtime/chan.go: maybeRunChan, blockTimerChan). baton's own: src/index.ts does not export it. */
export interface ChanTimer {
  /** Called before every read of the channel (a receive, tryRecv, len, a select's poll):
   *  delivers the timer's value into the channel if it is due. */
  ripen(): void;
  /** A receive or select has just parked on the channel under `token`: the timer fires while
   *  it waits, and is told when the wait ends (slots.ts, onWoken). */
  block(token: number): void;
}

/** A timer's channel: receive-only, one value of buffer, and its timer. Only time.ts makes one;
 *  Chan's methods consult `timer` where the mode is M_TIMER, so other channels pay nothing. */
class TimerChan<T> extends Chan<T> {
  constructor(key: unknown, id: number, readonly timer: ChanTimer) {
    super(key, id, 1, false, true, true);
  }
}

/** @internal The channel of `timer` (time.ts): receive-only, one value of buffer. */
export function timerChan<T>(timer: ChanTimer): Chan<T> {
  return localChan<T>(1, true, timer);
}

function sharedChan<T>(capacity: number): Chan<T> {
  if (!sharedMemory) {
    throw new TypeError(
      "chan: shared channels need SharedArrayBuffer; serve the page cross-origin isolated, with the headers " +
        "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (or credentialless)",
    );
  }
  sweepShared();
  const id = core.shNew(T, capacity);
  if (id === E_RANGE) throw new RangeError(`makechan: size out of range (capacity ${capacity})`);
  if (id < 0) {
    throw new RangeError(
      `makechan: the shared memory is exhausted (512 MiB): a shared channel of capacity ${capacity} needs ${64 + capacity * 16} bytes`,
    );
  }
  return holdShared<T>(id, capacity);
}

function holdShared<T>(id: number, capacity: number): Chan<T> {
  const ch = new Chan<T>(KEY, id, capacity, true);
  holds.set(id, (holds.get(id) ?? 0) + 1);
  sharedChannels.register(ch, id);
  return ch;
}

// A shared channel inside a value sent on a shared channel (Go's chan of chan, e.g. a reply
// channel in a request) travels as its address and generation, pinned in the core until it is
// attached where it arrives. A local channel cannot travel.
registerHostKind({
  is: (o) => o instanceof Chan,
  write(o) {
    const ch = o as Chan<unknown>;
    if (!sharedOf(ch)) {
      throw new TypeError(
        "baton: a local channel cannot be copied to a shared channel; make it with chan(capacity, { shared: true })",
      );
    }
    const id = idOf(ch);
    const gen = core.shGen(id);
    if (core.shPin(T, id, gen) !== 0) throw new TypeError("baton: the channel inside this value no longer exists");
    exported.add(id);
    return [id, gen];
  },
  read(addr, gen) {
    if (core.shHoldPinned(T, addr, gen) !== 0) throw new TypeError("baton: a channel inside a received value no longer exists");
    sweepShared();
    return holdShared(addr, viewsTo(addr + C_CAP + 4).u32[(addr + C_CAP) >>> 2]!);
  },
});

/**
 * The channel a {@link ChanHandle} describes, usable in this thread: Go's channel value passed to
 * another goroutine, across threads. The handle may come from this thread or another (posted with
 * `postMessage` or `workerData`).
 *
 * Throws TypeError for a handle that is forged, stale (its channel was freed: every thread that
 * held it dropped it), or of another memory than this thread's.
 *
 * @example
 * ```ts
 * // in a worker started with { workerData: { jobs: jobs.handle() } }
 * const jobs = attach<Job>(workerData.jobs);
 * for await (const j of jobs) handle(j);
 * ```
 */
export function attach<T>(handle: ChanHandle<T>): Chan<T> {
  const h = handle as Partial<ChanHandle<T>> | null;
  if (
    h === null ||
    typeof h !== "object" ||
    h.kind !== "batonjs.chan" ||
    !(h.memory instanceof WebAssembly.Memory) ||
    !Number.isInteger(h.addr) ||
    !Number.isInteger(h.gen)
  ) {
    throw new TypeError("attach: not a channel handle (make one with ch.handle() on a shared channel)");
  }
  if (!ensureCore(h.memory)) {
    throw new TypeError(
      "attach: this handle's channel lives in another memory than this thread's. A thread's channels live in one memory: " +
        "in Node, load batonjs in the parent before starting the worker (the worker then shares its memory); elsewhere, " +
        "attach the handle before this thread creates any channel or goroutine, or start the worker with workers()",
    );
  }
  const addr = h.addr!;
  if (core.shHold(T, addr, h.gen!) !== 0) {
    throw new TypeError("attach: the handle's channel no longer exists (every thread that held it dropped it), or the handle is forged");
  }
  sweepShared();
  // Through a view that covers the record: another thread may have grown the memory past it.
  return holdShared<T>(addr, viewsTo(addr + C_CAP + 4).u32[(addr + C_CAP) >>> 2]!);
}

// ── tracing ───────────────────────────────────────────────────────────────────────────────────
// While a trace records (trace.ts), the value arrows of local channels are drawn by wrappers that
// replace Chan's public operations on its prototype, so that the operations themselves test
// nothing while no trace records. Before an operation, a wrapper reads the channel's record (the
// core's memory, read only) to see what the operation will do: a send hands its value to the
// receiver at the head of the queue, or puts it at the ring's tail; a receive takes the ring's
// head (a sender waiting on a full ring then moves its value there), or a waiting sender's value.
// What a select performs is drawn by select.ts, from the case that fired.

const plain = {
  send: Chan.prototype.send,
  trySend: Chan.prototype.trySend,
  recv: Chan.prototype.recv,
  recvOk: Chan.prototype.recvOk,
  tryRecv: Chan.prototype.tryRecv,
  iterNext: Chan.prototype.iterNext,
};

/** The word at byte offset `off` of channel `id`'s record. */
function field(id: number, off: number): number {
  return viewsTo(id + off + 4).u32[(id + off) >>> 2]!;
}

/** Draws what a send on `ch` is about to do; returns the ring position it will buffer at, or -1. */
function traceSendAhead(ch: Chan<any>): number {
  if (!localOf(ch)) return -1;
  const id = idOf(ch);
  if ((field(id, C_FLAGS) & F_CLOSED) !== 0) return -1;
  const w = field(id, C_RECVQ_HEAD);
  if (w !== 0) {
    traceHandoff(viewsTo(w + W_SLOT + 4).u32[(w + W_SLOT) >>> 2]!);
    return -1;
  }
  return field(id, C_COUNT) < ch.cap ? field(id, C_TAIL) : -1;
}

/** Draws what a receive on `ch` is about to take. */
function traceRecvAhead(ch: Chan<any>): void {
  if (!localOf(ch)) return;
  const id = idOf(ch);
  const w = field(id, C_SENDQ_HEAD);
  const token = w === 0 ? -1 : viewsTo(w + W_SLOT + 4).u32[(w + W_SLOT) >>> 2]!;
  if (field(id, C_COUNT) > 0) {
    const pos = field(id, C_HEAD);
    traceUnbuffered(id, pos);
    if (token >= 0) traceBuffered(id, pos, token); // the waiting sender's value takes its place
  } else if (token >= 0) {
    traceTakeFromSender(token);
  }
}

/** @internal What a select case that fired at once did (select.ts, while a trace records):
 *  `r` is the core's result for it. */
export function traceSelectCase(ch: Chan<any>, isSend: number, r: number): void {
  if (!localOf(ch)) return;
  const code = r & 15;
  const id = idOf(ch);
  if (isSend !== 0) {
    if (code === R_BUFFERED) traceBuffered(id, r >>> 4);
    else if (code === R_HANDOFF) traceHandoff(r >>> 4);
  } else if (code === R_BUFFERED) {
    traceUnbuffered(id, r >>> 4);
  } else if (code === R_HANDOFF) {
    traceTakeFromSender(r >>> 4);
  } else if (code === R_BUFFERED_SENDER) {
    const pos = words()[CTX + CTX_LAST_POS]!;
    traceUnbuffered(id, pos);
    traceBuffered(id, pos, r >>> 4);
  }
}

setChannelTracing((on: boolean) => {
  const proto = Chan.prototype as unknown as Record<string, unknown>;
  if (!on) {
    Object.assign(proto, plain);
    return;
  }
  // An operation refused at once (an aborted signal) does nothing: nothing to draw.
  const refused = (options: unknown): boolean => (options as WaitOptions | undefined)?.signal?.aborted === true;
  proto.send = function (this: Chan<any>, v: unknown, options?: WaitOptions): Promise<void> {
    const pos = refused(options) ? -1 : traceSendAhead(this);
    const p = plain.send.call(this, v, options);
    if (pos >= 0 && p === RESOLVED) {
      // Buffered at once: the arrow starts here, and the goroutine resumes as itself.
      traceBuffered(idOf(this), pos);
      return tracedNow(undefined);
    }
    return p;
  };
  proto.trySend = function (this: Chan<any>, v: unknown): boolean {
    const pos = traceSendAhead(this);
    const done = plain.trySend.call(this, v);
    if (done && pos >= 0) traceBuffered(idOf(this), pos);
    return done;
  };
  for (const op of ["recv", "recvOk", "tryRecv", "iterNext"] as const) {
    const f = plain[op] as (this: Chan<any>, ...a: unknown[]) => unknown;
    proto[op] = function (this: Chan<any>, ...a: unknown[]): unknown {
      if (!refused(a[0])) traceRecvAhead(this);
      return f.apply(this, a);
    };
  }
});
