// Channels: the JS side of assembly/chan.ts. The core keeps each channel's bookkeeping (ring
// positions, count, closed flag, wait queues); the values stay here, in the channel's `buf`
// array at the positions the core gives out, or in the slot of a parked sender (core.ts).
//
// Who wakes whom: an operation that finds a parked peer gets the peer's token back from the core
// and completes the peer here, synchronously (wakeReceiver / takeFromSender / failSender): the
// peer's promise settles, and its goroutine continues in a later microtask. No user code runs
// inside a core call.

import {
  core, T, words, CTX, CTX_LAST_POS, CTX_FIRED, peekToken, park, releaseSlot, slotFn, slotAux, RESOLVED,
  Reclaimer,
  K_RECV, K_RECV_OK, K_ITER, K_SEND, K_SELECT, R_BUFFERED, R_HANDOFF, R_BLOCKED, R_WOULD_BLOCK,
  R_CLOSED, R_BUFFERED_SENDER,
} from "./core.js";
import { PanicError, coreFailure } from "./errors.js";

/** A case of a parked select, as the wake paths here see it (select.ts defines the classes). */
interface ParkedCase {
  value: unknown;
  ok: boolean;
  parkedIn: unknown;
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
export function wakeReceiver(token: number, v: unknown, ok: boolean, defer: boolean): void {
  const s = token >>> 3;
  const kind = token & 7;
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

/** Completes the parked sender of `token` and returns its value. */
export function takeFromSender(token: number, defer: boolean): unknown {
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

// A channel's core record is freed once its JS object has been garbage collected.
const channels = new Reclaimer((id) => core.chanFree(T, id));

/** Frees the core records of channels that have been garbage collected. */
export function freeDeadChannels(): void {
  channels.sweep();
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
   *  `PanicError("send on closed channel")` if the channel is or gets closed. */
  send(v: T): Promise<void>;
  /** Sends only if that needs no waiting; false otherwise. Throws PanicError on a closed channel. */
  trySend(v: T): boolean;
  /** `close(ch)`: wakes every waiting receiver and rejects every waiting sender. */
  close(): void;
  /** Values in the buffer. */
  readonly len: number;
  /** Buffer capacity. */
  readonly cap: number;
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
  /** `<-ch`: the next value, or `undefined` once the channel is closed and drained. */
  recv(): Promise<T | undefined>;
  /** `v, ok := <-ch`: ok is false only once the channel is closed and drained. */
  recvOk(): Promise<[T | undefined, boolean]>;
  /** Receives only if that needs no waiting: `[v, ok]`, or `undefined` where it would wait. */
  tryRecv(): [T | undefined, boolean] | undefined;
  /** `for v := range ch`: ends once the channel is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T>;
  /** Values in the buffer. */
  readonly len: number;
  /** Buffer capacity. */
  readonly cap: number;
}

/**
 * A channel: Go's `chan T`. Make one with {@link chan}.
 *
 * @example
 * ```ts
 * const ch = chan<string>(1);
 * await ch.send("hello");
 * console.log(await ch.recv()); // "hello"
 * ```
 */
export class Chan<in out T> implements SendChan<T>, RecvChan<T> {
  /** @internal The core's handle. */
  readonly id: number;
  /** @internal Buffered values, at the ring positions the core gives out. */
  readonly buf: unknown[] = [];
  readonly #cap: number;

  /** @internal Use {@link chan}. */
  constructor(id: number, cap: number) {
    this.id = id;
    this.#cap = cap;
  }

  get len(): number {
    return core.chanLen(this.id);
  }

  get cap(): number {
    return this.#cap;
  }

  send(v: T): Promise<void> {
    const token = peekToken(K_SEND);
    const r = core.chanSend(T, this.id, token, 1);
    switch (r & 7) {
      case R_BUFFERED:
        this.buf[r >>> 3] = v;
        return RESOLVED;
      case R_HANDOFF:
        wakeReceiver(r >>> 3, v, true, this.#cap !== 0);
        return RESOLVED;
      case R_BLOCKED:
        return park(token, v);
      case R_CLOSED:
        return Promise.reject(sendOnClosed());
      default:
        return Promise.reject(coreFailure(r & 7));
    }
  }

  trySend(v: T): boolean {
    const r = core.chanSend(T, this.id, 0, 0);
    switch (r & 7) {
      case R_BUFFERED:
        this.buf[r >>> 3] = v;
        return true;
      case R_HANDOFF:
        wakeReceiver(r >>> 3, v, true, this.#cap !== 0);
        return true;
      case R_WOULD_BLOCK:
        return false;
      case R_CLOSED:
        throw sendOnClosed();
      default:
        throw coreFailure(r & 7);
    }
  }

  recv(): Promise<T | undefined> {
    return this.#recv(K_RECV);
  }

  recvOk(): Promise<[T | undefined, boolean]> {
    return this.#recv(K_RECV_OK);
  }

  #recv(kind: number): Promise<any> {
    const token = peekToken(kind);
    const r = core.chanRecv(T, this.id, token, 1);
    switch (r & 7) {
      case R_BUFFERED:
        return Promise.resolve(recvResult(kind, this.takeBuffered(r >>> 3), true));
      case R_HANDOFF:
        return Promise.resolve(recvResult(kind, takeFromSender(r >>> 3, false), true));
      case R_BUFFERED_SENDER:
        return Promise.resolve(recvResult(kind, this.takeBufferedAndSender(r >>> 3), true));
      case R_CLOSED:
        return kind === K_RECV ? RESOLVED_UNDEFINED : Promise.resolve(recvResult(kind, undefined, false));
      case R_BLOCKED:
        return park(token, undefined);
      default:
        return Promise.reject(coreFailure(r & 7));
    }
  }

  tryRecv(): [T | undefined, boolean] | undefined {
    const r = core.chanRecv(T, this.id, 0, 0);
    switch (r & 7) {
      case R_BUFFERED:
        return [this.takeBuffered(r >>> 3) as T, true];
      case R_HANDOFF:
        return [takeFromSender(r >>> 3, false) as T, true];
      case R_BUFFERED_SENDER:
        return [this.takeBufferedAndSender(r >>> 3) as T, true];
      case R_CLOSED:
        return [undefined, false];
      case R_WOULD_BLOCK:
        return undefined;
      default:
        throw coreFailure(r & 7);
    }
  }

  /** @internal Takes the value at ring position pos. */
  takeBuffered(pos: number): unknown {
    const buf = this.buf;
    const v = buf[pos];
    buf[pos] = undefined;
    return v;
  }

  /** @internal After R_BUFFERED_SENDER: takes the head value and puts the parked sender's value
   *  (in slot s) in its place, which the core has made the tail. */
  takeBufferedAndSender(s: number): unknown {
    const pos = words()[CTX + CTX_LAST_POS]!;
    const buf = this.buf;
    const v = buf[pos];
    buf[pos] = takeFromSender(s, true);
    return v;
  }

  close(): void {
    const r = core.chanClose(T, this.id);
    if (r === R_CLOSED) throw new PanicError("close of closed channel");
    if (r !== 0) throw coreFailure(r);
    for (;;) {
      const w = core.chanCloseNext(T, this.id);
      if (w < 0) break;
      if ((w & 1) !== 0) failSender(w >>> 1);
      else wakeReceiver(w >>> 1, undefined, false, false);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new ChanIterator<T>(this);
  }

  /** @internal */
  iterNext(): Promise<IteratorResult<T>> {
    return this.#recv(K_ITER);
  }
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

/** The largest capacity: ring positions travel in the core's 29-bit result payload. */
const MAX_CAPACITY = 2 ** 28 - 1;

/**
 * `make(chan T, capacity)`: a new channel; capacity 0 (the default) is unbuffered.
 * Throws `RangeError` ("makechan: size out of range") unless capacity is a non-negative safe
 * integer the core can hold (below 2^28).
 *
 * @example
 * ```ts
 * const done = chan<void>();
 * go(async () => { await work(); done.close(); });
 * await done.recv();
 * ```
 */
export function chan<T = unknown>(capacity: number = 0): Chan<T> {
  if (typeof capacity !== "number" || !Number.isSafeInteger(capacity) || capacity < 0) {
    throw new RangeError(`makechan: size out of range (capacity ${String(capacity)})`);
  }
  if (capacity > MAX_CAPACITY) {
    throw new RangeError(`makechan: size out of range (capacity ${capacity}; at most ${MAX_CAPACITY})`);
  }
  channels.sweep();
  const id = core.chanNew(T, capacity);
  if (id === -2) throw new RangeError(`makechan: size out of range (capacity ${capacity})`);
  if (id < 0) throw coreFailure(7);
  const ch = new Chan<T>(id, capacity);
  channels.register(ch, id);
  return ch;
}
