// Loading the core and the facade's slot table.
//
// The core (assembly/) is instantiated once per thread over one WebAssembly.Memory. Where
// SharedArrayBuffer is available the memory is shared, so that shared channels (a later issue)
// can reach it from workers; in a browser page that is not cross-origin isolated, the same core
// compiled against a plain memory is used and local channels work as before.
//
// JS values never enter the core. The core refers to whoever waits by a *token*: a slot of the
// table below, where the facade keeps the parked operation (its promise's resolve function and
// a sender's value, a select's cases or a wait's reason), plus the operation's kind.
// Loading uses only WebAssembly and atob, so it runs in Node, browsers and bundlers alike.

import { CORE_SHARED, CORE_LOCAL } from "./core-wasm.generated.js";

/** The core's exports, as the facade calls them (see assembly/index.ts for each contract). */
export interface Core {
  threadNew(seed: number): number;
  bytesInUse(t: number): number;
  heapTop(): number;
  chanNew(t: number, cap: number): number;
  chanFree(t: number, c: number): number;
  chanSend(t: number, c: number, slot: number, block: number): number;
  chanRecv(t: number, c: number, slot: number, block: number): number;
  chanClose(t: number, c: number): number;
  chanCloseNext(t: number, c: number): number;
  chanLen(c: number): number;
  chanWaiters(c: number, isSend: number): number;
  seed(t: number, s: number): number;
  selReserve(t: number, n: number): number;
  selPoll(t: number, n: number, slot: number, block: number): number;
  goNew(t: number, slot: number): number;
  runqGet(t: number): number;
  wqNew(t: number): number;
  wqFree(t: number, q: number): number;
  wqPark(t: number, q: number, token: number, arg: number): number;
  wqPeek(q: number): number;
  wqPeekArg(q: number): number;
  wqTake(t: number, q: number): number;
  wqCancel(t: number, q: number, token: number): number;
  wqLen(q: number): number;
  liveChannels(t: number): number;
}

// Result words (assembly/layout.ts, RESULT): code in bits 0..2, payload in bits 3..31.
export const R_BUFFERED = 0;
export const R_HANDOFF = 1;
export const R_BLOCKED = 2;
export const R_WOULD_BLOCK = 3;
export const R_CLOSED = 4;
export const R_BAD = 5;
export const R_BUFFERED_SENDER = 6;
export const R_NOMEM = 7;

/** Pages of 64 KiB: the memory starts small and the core grows it as records are needed. */
const INITIAL_PAGES = 32;
const MAXIMUM_PAGES = 8192; // 512 MiB, the maximum the core is compiled for

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer !== "function") return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** True when this thread's core runs over a shared memory. */
export const sharedMemory: boolean = sharedMemoryAvailable();

/** This thread's memory. */
export const memory: WebAssembly.Memory = new WebAssembly.Memory(
  sharedMemory
    ? { initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true }
    : { initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES },
);

const module = await WebAssembly.compile(decode(sharedMemory ? CORE_SHARED : CORE_LOCAL));
const instance = await WebAssembly.instantiate(module, { env: { memory } });

/** This thread's instance of the core. */
export const core = instance.exports as unknown as Core;

/** This thread's context index in the core. */
export const T: number = core.threadNew(0);
if (T < 0) throw new Error("baton: the core has no thread context left for this thread");

// ── direct reads and writes of the core's memory ──────────────────────────────────────────────
// Words of this thread's context (assembly/layout.ts, THREAD CONTEXT) that the facade reads after
// a call, instead of calling again, and the select scratch block that it fills before selPoll.
// After the memory grows, a view over a shared memory keeps working for the old range, and a view
// over a plain memory is detached (length 0): words() and wordsTo() hand out a view that covers
// what the caller reads. (Reading memory.buffer costs ~20 ns, so the view is not checked against it.)

let view = new Int32Array(memory.buffer);

/** A view of the memory as 32-bit words, covering at least the thread contexts. */
export function words(): Int32Array {
  return view.length !== 0 ? view : (view = new Int32Array(memory.buffer));
}

/** A view of the memory as 32-bit words, covering at least the first `end` words. */
export function wordsTo(end: number): Int32Array {
  return view.length >= end ? view : (view = new Int32Array(memory.buffer));
}

/** Word index of this thread's context. */
export const CTX = (4096 + T * 256) >> 2;
/** Word offsets within the context. */
export const CTX_FIRED = 6; // case index of the parked select that the last operation woke
export const CTX_LAST_POS = 7; // ring position of the last receive that also took a parked sender
export const CTX_SCRATCH = 8; // address of the select scratch block
export const CTX_SEL_CASE = 12; // case index that the last selPoll performed

// ── the slot table ────────────────────────────────────────────────────────────────────────────
// Whoever is parked is described by parallel arrays indexed by slot: the resolve function of its
// promise, an auxiliary value (a sender's value, a select's cases, a sync wait's reason), and for
// diagnostics the goroutine that parked (where known) and
// when. The core stores a *token* for it, (slot << 3) | kind, and hands the token back when it
// wakes it, so the kind (how the parked operation takes its result) costs no array of its own.
// Parallel arrays of plain values cost no allocation per parked operation beyond the promise.
// A slot is taken only once the core has parked the caller: operations pass peekToken() to the
// core, and call takeSlot() with the same token only if the result is R_BLOCKED, so an operation
// that completes at once costs nothing here.

/** Token kinds (the low 3 bits of a token). */
export const K_RECV = 0; // resolves with the value
export const K_RECV_OK = 1; // resolves with [value, ok]
export const K_ITER = 2; // resolves with an IteratorResult
export const K_SEND = 3; // resolves with undefined (or a rejected promise); aux is the value
export const K_SELECT = 4; // aux is the select's state
export const K_WAIT = 6; // a sync or time wait: resolves with the value given; aux is its wait reason

/** Slots the table can hold: tokens travel in the core's 29-bit result payload. */
const MAX_SLOTS = 1 << 26;

/** A goroutine as the slot table sees it (go.ts). */
export interface GRef {
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
export const slotAux: unknown[] = [];
/** The goroutine parked in each slot, where known. */
export const slotG: (GRef | null)[] = [];
/** When each slot's wait began (performance.now(), to about a millisecond: see stamp()). */
export const slotSince: number[] = [];
/** Each slot's token, for diagnostics (the kind of a wait is in its low bits). */
const slotToken: number[] = [];
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
  let g = current;
  if (g !== null) {
    if (g.parkedToken >= 0) g = null; // a goroutine waits once at a time: this is someone else
    else g.parkedToken = token;
  }
  if (s === slotFn.length) {
    slotFn.push(fn);
    slotAux.push(aux);
    slotG.push(g);
    slotSince.push(stamp());
    slotToken.push(token);
  } else {
    freeSlots.pop();
    slotFn[s] = fn;
    slotAux[s] = aux;
    slotG[s] = g;
    slotSince[s] = stamp();
    slotToken[s] = token;
  }
}

/** Frees the slot of `token` (after its contents were read). */
export function releaseSlot(token: number): void {
  const s = token >>> 3;
  const g = slotG[s]!;
  if (g !== null) {
    g.parkedToken = -1;
    g.since = stamp();
    slotG[s] = null;
  }
  slotFn[s] = undefined;
  slotAux[s] = undefined;
  freeSlots.push(s);
}

/** Waits parked now. */
export function parkedWaits(): number {
  return slotFn.length - freeSlots.length;
}

/** Calls fn(token, goroutine, since, aux) for every parked wait. For diagnostics. */
export function forEachWait(fn: (token: number, g: GRef | null, since: number, aux: unknown) => void): void {
  const free = new Set(freeSlots);
  for (let s = 0; s < slotFn.length; s++) {
    const token = slotToken[s]!;
    if (free.has(s)) continue;
    fn(token, slotG[s]!, slotSince[s]!, slotAux[s]);
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

/**
 * Frees core records (channels, wait queues) once the JS object that owns each has been garbage
 * collected: the finalizer only queues the address, and sweep() frees the queued records later,
 * outside the GC's callback (the owners call it before they allocate, so freed records are reused).
 */
export class Reclaimer {
  readonly #dead: number[] = [];
  readonly #registry = new FinalizationRegistry<number>((addr) => {
    this.#dead.push(addr);
  });
  constructor(readonly free: (addr: number) => void) {}

  /** Frees `addr` once `owner` has been collected. */
  register(owner: object, addr: number): void {
    this.#registry.register(owner, addr);
  }

  /** Frees the records of owners collected so far. */
  sweep(): void {
    const dead = this.#dead;
    while (dead.length > 0) this.free(dead.pop()!);
  }
}

/** Sources of wake-ups from outside baton's waits (timers). When the event loop is about to go
 *  idle (Node's 'beforeExit') with waits parked, the deadlock check (go.ts) asks each whether it
 *  will wake something; one that answers true must keep the loop alive (ref its host timer) until
 *  it has. Asked with `parked` false, it may let the loop go (unref). */
export const wakeSources: ((parked: boolean) => boolean)[] = [];

// ── a cheap clock for waiting times ───────────────────────────────────────────────────────────
// performance.now() costs ~40 ns, a sixth of a parked round trip, so waits are stamped with a
// clock read once every 64 stamps, and afresh for the first stamp after the event loop has turned
// (a zero-delay timer marks the clock stale). A stamp can be early by the synchronous work done
// since the last read within one turn of the loop (usually well under a millisecond; a long busy
// stretch shows in full), which is what a goroutine dump can afford.

let clock = 0;
let clockBudget = 0;
let clockStale = true;
let staleTimerArmed = false;

const markStale = (): void => {
  clockStale = true;
  staleTimerArmed = false;
};

/** A clock reading for waiting times: performance.now(), read at most every 64 calls within a
 *  turn of the event loop. */
export function stamp(): number {
  if (clockStale || --clockBudget < 0) {
    clock = performance.now();
    clockBudget = 64;
    clockStale = false;
    if (!staleTimerArmed) {
      staleTimerArmed = true;
      const h = setTimeout(markStale, 0) as unknown as { unref?: () => void };
      if (typeof h === "object" && h !== null && typeof h.unref === "function") h.unref();
    }
  }
  return clock;
}
