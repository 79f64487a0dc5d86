// select: the JS side of assembly/select.ts. The cases are written into the core's scratch block
// for this thread, the core polls them in a random order and, if none can proceed and the select
// may wait, parks one waiter per case under a single slot. The first peer to take any of them
// fires the select and the core drops the rest (takeWaiter), so a select that did not fire
// leaves nothing behind.

import {
  core, T, words, wordsTo, CTX, CTX_SCRATCH, CTX_SEL_CASE, peekToken, park, K_SELECT, K_WAIT, R_BUFFERED, R_HANDOFF, R_BLOCKED, R_WOULD_BLOCK, R_CLOSED, R_BAD,
  R_BUFFERED_SENDER,
} from "./core.js";
import { Chan, wakeReceiver, takeFromSender } from "./chan.js";
import type { RecvChan, SendChan } from "./chan.js";
import { PanicError, coreFailure } from "./errors.js";

/** Go refuses selects of more than 65536 cases; so does the core. */
const MAX_CASES = 65536;

/** What every select case is: the common base of {@link RecvCase} and {@link SendCase} (one shape
 *  for both kinds, so that the select loop that reads them stays monomorphic). */
export class SelectCase {
  /** @internal The select this case is parked in, if any. */
  parkedIn: readonly unknown[] | null = null;
  /** @internal The channel last checked to be a baton channel (or null), and its core handle:
   *  a case reused with the same channel is not checked again. */
  checkedCh: unknown = undefined;
  checkedId = 0;
  constructor(
    public ch: unknown,
    public value: unknown,
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
  return new SendCase<T>(ch, value);
}

// Resolved promises for the common results, so that a select that completes at once allocates
// no promise.
const RESOLVED_INDEX: Promise<number>[] = [];
for (let i = -1; i < 16; i++) RESOLVED_INDEX[i + 1] = Promise.resolve(i);

let reserved = 0;

/** Performs a select: the fired case's index, -1 (nothing could proceed and block is false), or
 *  a promise of the index when it parked. Throws for bad input and for a send on a closed
 *  channel. */
function run(cases: readonly Case[], block: boolean): number | Promise<number> {
  if (!Array.isArray(cases)) throw new TypeError("select: cases must be an array of recv() and send() cases");
  const n = cases.length;
  if (n > reserved) {
    if (n > MAX_CASES) throw new RangeError(`select: too many cases (${n}; at most ${MAX_CASES})`);
    if (core.selReserve(T, n) === 0) throw coreFailure(7);
    reserved = n;
  }
  // The scratch block's cases: n × { channel, isSend } words.
  let p = words()[CTX + CTX_SCRATCH]! >>> 2;
  const m = wordsTo(p + 2 * n);
  for (let i = 0; i < n; i++, p += 2) {
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
      if (ch !== null) {
        if (!(ch instanceof Chan)) throw new TypeError(`select: case ${i}: not a baton channel (use chan() or null)`);
        id = ch.id;
      }
      c.checkedCh = ch;
      c.checkedId = id;
    }
    m[p] = id;
    m[p + 1] = c.isSend;
  }
  const token = block ? peekToken(K_SELECT) : 0;
  const r = core.selPoll(T, n, token, block ? 1 : 0);
  const code = r & 7;
  if (code === R_WOULD_BLOCK) return -1;
  if (code === R_BLOCKED) {
    // Only nil channels, or no case at all: it waits forever, as a visible wait (Go's
    // "select (no cases)"), so that dumps and deadlock detection see it.
    if (r >>> 3 === 0) return park(peekToken(K_WAIT), "select (no cases)");
    // Parked: the slot holds the cases; chan.ts settles the promise with the fired case's index.
    for (let i = 0; i < n; i++) cases[i]!.parkedIn = cases;
    return park(token, cases);
  }
  const i = words()[CTX + CTX_SEL_CASE]!;
  if (code === R_BAD) throw new TypeError(`select: case ${i}: the channel is no longer live`);
  const c = cases[i]!;
  const ch = c.ch as unknown as Chan<unknown>;
  if (c.isSend !== 0) {
    switch (code) {
      case R_BUFFERED:
        ch.buf[r >>> 3] = c.value;
        return i;
      case R_HANDOFF:
        wakeReceiver(r >>> 3, c.value, true, ch.cap !== 0);
        return i;
      case R_CLOSED:
        throw new PanicError("send on closed channel");
    }
  } else {
    switch (code) {
      case R_BUFFERED:
        c.value = ch.takeBuffered(r >>> 3);
        c.ok = true;
        return i;
      case R_HANDOFF:
        c.value = takeFromSender(r >>> 3, false);
        c.ok = true;
        return i;
      case R_BUFFERED_SENDER:
        c.value = ch.takeBufferedAndSender(r >>> 3);
        c.ok = true;
        return i;
      case R_CLOSED:
        c.value = undefined;
        c.ok = false;
        return i;
    }
  }
  throw coreFailure(code);
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
export function select(cases: readonly Case[], options?: { default?: boolean }): Promise<number> {
  try {
    const r = run(cases, !(options !== undefined && options.default === true));
    if (typeof r !== "number") return r;
    return r < 15 ? RESOLVED_INDEX[r + 1]! : Promise.resolve(r);
  } catch (e) {
    return Promise.reject(e);
  }
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
