// The slot table: whoever is parked, as the core refers to it.
//
// JS values never enter the core for local channels. The core refers to whoever waits by a
// *token*: a slot of the table below, where the facade keeps the parked operation (its promise's
// resolve function and a sender's value, a select's cases or a wait's reason), plus the
// operation's kind. Whoever is parked is described by parallel arrays indexed by slot: the
// resolve function of its promise, an auxiliary value (a sender's value, a select's cases, a sync
// wait's reason, the channel of a shared wait), and for diagnostics the goroutine that parked
// (where known) and when. The core stores a *token* for it, (slot << 3) | kind, and hands the
// token back when it wakes it, so the kind (how the parked operation takes its result) costs no
// array of its own. Parallel arrays of plain values cost no allocation per parked operation
// beyond the promise. A slot is taken only once the core has parked the caller: operations pass
// peekToken() to the core, and call takeSlot() with the same token only if the result is
// R_BLOCKED, so an operation that completes at once costs nothing here.
//
// Invariants:
//  A slot is free iff it is on freeSlots; a free slot's slotFn and slotAux are undefined.
//  A free slot's slotG is null.
//  slotInfo[s] & SH_BITS is non-zero iff slot s is taken by a wait that another thread can
//  complete (a shared channel's, or a select with a shared case); sharedParked counts them.

import { stamp } from "./clock.js";
import { macrotask } from "./macrotask.js";
import { watchAbort } from "./abort.js";
import { tracer, tracePark } from "./trace.js";

/** Token kinds (the low 3 bits of a token). */
export const K_RECV = 0; // resolves with the value
export const K_RECV_OK = 1; // resolves with [value, ok]
export const K_ITER = 2; // resolves with an IteratorResult
export const K_SEND = 3; // resolves with undefined (or a rejected promise); aux is the value
export const K_SELECT = 4; // aux is the select's cases
export const K_WAIT = 6; // a sync or time wait: resolves with the value given; aux is its wait reason

/** Go's wait reason for a parked wait, from its token's kind (and a K_WAIT's recorded reason). */
export function reasonOf(token: number, aux: unknown): string {
  switch (token & 7) {
    case K_RECV:
    case K_RECV_OK:
    case K_ITER:
      return "chan receive";
    case K_SEND:
      return "chan send";
    case K_SELECT:
      return "select";
    default:
      return typeof aux === "string" ? aux : "waiting";
  }
}

/** Slots the table can hold: tokens travel in the core's 28-bit result payload. */
const MAX_SLOTS = 1 << 25;

/** A goroutine as the slot table sees it (go.ts). */
export interface GRef {
  /** Its id (go.ts). */
  readonly id: number;
  /** The token of the wait it is parked in, or -1. */
  parkedToken: number;
  /** When it last started running (stamp()): any wait it is in now began no earlier. */
  since: number;
}

/** The goroutine whose code is running, where the facade knows it (see go.ts), else null. */
export let current: GRef | null = null;
export function setCurrent(g: GRef | null): void {
  current = g;
}

export const slotFn: (((v: any) => void) | undefined)[] = [];
/** Each slot's wait, in one small integer (one store per park): its token kind (bits 0-2, for
 *  diagnostics), whether another thread can complete it (bits 3-4, SH_*; see markShared), and
 *  when it began (from bit 5 up: stamp() * 32, whole milliseconds; an integer below 2^53 for
 *  millennia, a small integer for the first ~18 hours of uptime and an unboxed double after). */
const slotInfo: number[] = [];
/** slotInfo's "another thread can complete it" bits: a plain shared wait, and a daemon's (a
 *  pool's own event loop), which keeps no process alive. */
const SH_WAIT = 8;
const SH_DAEMON = 16;
const SH_BITS = SH_WAIT | SH_DAEMON;
const SINCE_SHIFT = 32;
/** Waits parked now that another thread can complete. */
export let sharedParked = 0;
export const slotAux: unknown[] = [];
/** The goroutine parked in each slot, where known (null otherwise, and in every free slot). */
export const slotG: (GRef | null)[] = [];
const freeSlots: number[] = [];

/** The token the next parked operation of this kind will get. */
export function peekToken(kind: number): number {
  const n = freeSlots.length;
  if (n > 0) return (freeSlots[n - 1]! << 3) | kind;
  const s = slotFn.length;
  if (s >= MAX_SLOTS) throw new RangeError(`baton: too many parked operations (at most ${MAX_SLOTS})`);
  return (s << 3) | kind;
}

/** Takes the slot of `token` (the value peekToken() returned). */
export function takeSlot(token: number, fn: ((v: any) => void) | undefined, aux: unknown): void {
  const s = token >>> 3;
  // A wait parked while a goroutine's synchronous code runs is that goroutine's. It may park
  // several (Promise.all, Promise.race): the first is its state; the others are its too, and
  // never shown as anyone else's.
  const g = current;
  if (tracer.on) fn = tracePark(s, token, aux, g, fn!);
  const info = stamp() * SINCE_SHIFT + (token & 7);
  if (s === slotFn.length) {
    slotFn.push(fn);
    slotInfo.push(info);
    slotAux.push(aux);
    slotG.push(g);
  } else {
    freeSlots.pop();
    slotFn[s] = fn;
    slotInfo[s] = info;
    slotAux[s] = aux;
    // A free slot's goroutine is null already: most waits park after an await, where the
    // goroutine is not known, and write nothing here.
    if (g !== null) slotG[s] = g;
  }
  if (g !== null && g.parkedToken < 0) g.parkedToken = token;
}

/** Frees the slot of `token` (after its contents were read). */
export function releaseSlot(token: number): void {
  const s = token >>> 3;
  const g = slotG[s]!;
  if (g !== null) {
    // Any of its waits completing may resume the goroutine: from here its state is not known.
    g.parkedToken = -1;
    g.since = stamp();
    slotG[s] = null;
  }
  slotFn[s] = undefined;
  slotAux[s] = undefined;
  if ((slotInfo[s]! & SH_BITS) !== 0) {
    slotInfo[s] = 0;
    sharedParked--;
  }
  freeSlots.push(s);
  if (freeSlots.length >= trimAt) trim();
}

// The table does not keep its peak size: once many slots are free (say, after a million waits on
// dropped channels were let go), the free slots at its end are cut off, and the free slots left
// are reused lowest first, so that the table's end frees up. The next trim waits until the free
// slots have doubled, or until every slot is free: amortized O(1) per release.
let trimAt = 4096;

function trim(): void {
  let n = slotFn.length;
  while (n > 0 && slotFn[n - 1] === undefined) n--;
  if (n < slotFn.length) {
    slotFn.length = n;
    slotInfo.length = n;
    slotAux.length = n;
    slotG.length = n;
    let j = 0;
    for (let i = 0; i < freeSlots.length; i++) if (freeSlots[i]! < n) freeSlots[j++] = freeSlots[i]!;
    freeSlots.length = j;
  }
  freeSlots.sort((a, b) => b - a); // pop() takes the lowest
  trimAt = Math.max(4096, Math.min(freeSlots.length * 2, slotFn.length));
}

/** Lets go of the wait of `token`, which can never complete (its channel was collected): its
 *  promise is never settled. A select's cases are freed for other selects. */
export function dropWait(token: number): void {
  const aux = slotAux[token >>> 3];
  if ((token & 7) === K_SELECT) for (const c of aux as { parkedIn: unknown }[]) c.parkedIn = null;
  releaseSlot(token);
}

/** Withdraws the wait just parked under `token` (promise `p`) if `signal` aborts before it
 *  completes: `cancel()` asks the core to take its waiters out (1: done; 0: it completed first,
 *  or its completion is on its way to this thread's inbox; -2: a shared channel's lock stayed
 *  taken, ask again later). A withdrawn wait rejects with `signal.reason`. The listener goes once
 *  the wait is settled either way. */
export function withdrawWhenAborted(token: number, signal: AbortSignal, p: Promise<unknown>, cancel: () => number): void {
  const s = token >>> 3;
  const fn = slotFn[s]!;
  const withdraw = (): void => {
    if (slotFn[s] !== fn) return; // it completed first
    const r = cancel();
    if (r === -2) {
      macrotask(withdraw);
      return;
    }
    if (r !== 1) return;
    dropWait(token);
    fn(Promise.reject(signal.reason));
  };
  const forget = watchAbort(signal, withdraw);
  p.then(forget, forget);
}

/** Has `w.woken()` called when the wait just parked under `token` ends, completed or withdrawn,
 *  just before its promise is settled (time.ts: a timer whose channel the wait is on leaves the
 *  heap then). A wait that is dropped (dropWait) never ends: `w` is not called. Call it before
 *  withdrawWhenAborted, which keeps the slot's function as it finds it. */
export function onWoken(token: number, w: { woken(): void }): void {
  const s = token >>> 3;
  const fn = slotFn[s]!;
  slotFn[s] = (v: unknown): void => {
    w.woken();
    fn(v);
  };
}

/** Marks the wait just parked under `token` as one that another thread can complete; a
 *  `daemon` wait (baton's own, e.g. a pool's event loop) does not keep the process alive. */
export function markShared(token: number, daemon = false): void {
  const s = token >>> 3;
  const info = slotInfo[s]!; // arithmetic, not |: after ~18 hours of uptime it exceeds 32 bits
  slotInfo[s] = info - (info & SH_BITS) + (daemon ? SH_DAEMON : SH_WAIT);
  sharedParked++;
}

/** Calls fn(aux) for every parked wait that another thread can complete. */
export function forEachSharedWait(fn: (aux: unknown) => void): void {
  for (let s = 0; s < slotInfo.length; s++) if ((slotInfo[s]! & SH_WAIT) !== 0) fn(slotAux[s]);
}

/** When the wait in slot s began (stamp()). */
export function sinceOf(s: number): number {
  return Math.floor(slotInfo[s]! / SINCE_SHIFT);
}

/** Waits parked now. */
export function parkedWaits(): number {
  return slotFn.length - freeSlots.length;
}

/** Calls fn(token, goroutine, since, aux) for every parked wait. For diagnostics. */
export function forEachWait(fn: (token: number, g: GRef | null, since: number, aux: unknown) => void): void {
  const free = new Set(freeSlots);
  for (let s = 0; s < slotFn.length; s++) {
    if (free.has(s)) continue;
    fn((s << 3) | (slotInfo[s]! & 7), slotG[s]!, sinceOf(s), slotAux[s]);
  }
}

// new Promise(capture) hands out the promise's resolve function without allocating a closure per
// promise: the caller reads it from `captured` right after the constructor returns.
export const captured: { resolve: (v: any) => void } = { resolve: () => {} };
export function capture(resolve: (v: any) => void): void {
  captured.resolve = resolve;
}

/** Parks the caller under `token`, which the core has just queued, and returns its promise. */
export function park(token: number, aux: unknown): Promise<any> {
  const promise = new Promise(capture);
  takeSlot(token, captured.resolve, aux);
  return promise;
}

/** Settles the wait of `token` (a K_WAIT) with `v`, at once. */
export function wake(token: number, v: unknown): void {
  const fn = slotFn[token >>> 3]!;
  releaseSlot(token);
  fn(v);
}

/** The promise every operation that completes at once returns: already resolved, shared, so
 *  that such an operation allocates nothing. */
export const RESOLVED: Promise<void> = Promise.resolve();

