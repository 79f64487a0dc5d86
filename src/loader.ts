// Loading the core: one instance per thread, over one WebAssembly.Memory per thread.
//
// Where SharedArrayBuffer is available the memory is shared, so that shared channels reach it from
// other threads; in a browser page that is not cross-origin isolated, the same core compiled
// against a plain memory is used and local channels work as everywhere else. The bundle carries
// one copy of the core (a string of its bytes: scripts/embed-core.mjs), built against a shared
// memory; for a plain memory the loader clears the shared flag of the memory the core imports
// (one byte, CORE_MEMORY_FLAGS), which gives exactly the core built for a plain memory
// (scripts/embed-core.mjs checks that at build).
//
// Compiling and instantiating are synchronous (new WebAssembly.Module and Instance on ~20 KB of
// bytes, well under the 8 MB that Chromium allows on a main thread), so that loading baton needs
// no top-level await and the CommonJS build can be require()d.
//
// Which memory (API.md, "One memory per thread"):
//  - In Node, baton creates its memory when it is loaded and hands it to every worker started
//    afterwards (worker_threads' setEnvironmentData), so a worker works over its parent's memory
//    from the start, whatever it does first. The core is instantiated at load there.
//  - Elsewhere the core is instantiated lazily, at the first call that needs it: over the memory
//    of the handle when that call is attach(), else over a new memory. From then on the memory is
//    fixed, and a handle of another memory is refused (attach says how to avoid that).
//
// Invariants:
//  `core`, `T` and `CTX` are set together, once, by instantiate(); until then `core` is undefined
//  and every entry point that can be a thread's first call to the core calls ensureCore().
//  Views over the memory (views()) cover at least what the caller reads: after the memory grows,
//  a view over a shared memory keeps working for the old range, and one over a plain memory is
//  detached (length 0); viewsTo() renews them.

import { CORE, CORE_KEY, CORE_MEMORY_FLAGS } from "./core-wasm.generated.js";
import { TBASE, TSIZE, HDR, H_MEMID } from "./core-layout.generated.js";

/** The core's exports, as the facade calls them (assembly/index.ts lists each contract). */
export interface Core {
  threadNew(seed: number): number;
  threadInit(t: number, parent: number, osid: number): number;
  threadDead(t: number, dead: number): number;
  threadSweep(t: number, dead: number): number;
  heapCheck(): number;
  selDeferred(t: number): number;
  threadByOsid(osid: number, from: number): number;
  threadChild(parent: number, from: number): number;
  threadAlive(t: number): number;
  bytesInUse(t: number): number;
  recordBytes(t: number): number;
  heapTop(): number;
  chanNew(t: number, cap: number): number;
  chanFree(t: number, c: number): number;
  chanDropNext(t: number, c: number): number;
  chanCancel(t: number, c: number, slot: number, isSend: number): number;
  selCancel(t: number, n: number, slot: number): number;
  chanSend(t: number, c: number, slot: number, block: number): number;
  chanRecv(t: number, c: number, slot: number, block: number): number;
  chanSendN(t: number, c: number, n: number): number;
  chanRecvN(t: number, c: number, n: number): number;
  chanClose(t: number, c: number): number;
  chanCloseNext(t: number, c: number): number;
  chanLen(c: number): number;
  chanWaiters(t: number, c: number, isSend: number): number;
  chanCheck(t: number, c: number): number;
  liveChannels(t: number): number;
  shNew(t: number, cap: number): number;
  shGen(c: number): number;
  shHold(t: number, c: number, gen: number): number;
  shPin(t: number, c: number, gen: number): number;
  shHoldPinned(t: number, c: number, gen: number): number;
  shRelease(t: number, c: number): number;
  shHeldByOthers(t: number, c: number): number;
  shSend(t: number, c: number, slot: number, block: number): number;
  shRecv(t: number, c: number, slot: number, block: number): number;
  inboxNext(t: number): number;
  valueAlloc(t: number, bytes: number): number;
  valueFree(t: number, v: number): number;
  seed(t: number, s: number): number;
  selReserve(t: number, n: number): number;
  selPoll(t: number, n: number, slot: number, block: number, nshared: number): number;
  goNew(t: number): number;
  runqGet(t: number): number;
  wqNew(t: number): number;
  wqFree(t: number, q: number): number;
  wqPark(t: number, q: number, token: number, arg: number): number;
  wqPeek(q: number): number;
  wqPeekArg(q: number): number;
  wqTake(t: number, q: number): number;
  wqCancel(t: number, q: number, token: number): number;
  wqLen(q: number): number;
}

/** Pages of 64 KiB: the memory starts small and the core grows it as records are needed. */
const INITIAL_PAGES = 32;
const MAXIMUM_PAGES = 8192; // 512 MiB, the maximum the core is compiled for
/** The key under which a Node thread hands its memory (and its context) to the workers it starts. */
const ENV_MEMORY = "batonjs:memory";
const ENV_PARENT = "batonjs:parent";

/** The core's bytes (CORE's characters XORed with CORE_KEY: scripts/embed-core.mjs): for a shared
 *  memory as built, else with the memory import's shared flag cleared (3, shared with a maximum,
 *  becomes 1, a maximum). */
function coreBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const n = CORE.length;
  // Whole 32-bit words, so that the key is applied four bytes at a time (bytewise, XOR has no
  // carries); the core is compiled from the first n.
  const out = new Uint8Array((n + 3) & ~3);
  const NodeBuffer = (globalThis as { Buffer?: { from(s: string, encoding: string): Uint8Array } }).Buffer;
  if (NodeBuffer !== undefined) {
    out.set(NodeBuffer.from(CORE, "latin1")); // native: a loop over the characters is slow while cold
  } else {
    for (let i = 0; i < n; i++) out[i] = CORE.charCodeAt(i);
  }
  const words = new Uint32Array(out.buffer);
  const key = CORE_KEY * 0x01010101;
  for (let i = 0; i < words.length; i++) words[i] ^= key;
  if (!shared) out[CORE_MEMORY_FLAGS] = 1;
  return out.subarray(0, n);
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

/**
 * True where this thread's channels live in a shared memory — Node, and browser pages that are
 * cross-origin isolated — so that shared channels (`chan(n, { shared: true })`) and
 * {@link workers} are available. False on a plain browser page, where local channels work as
 * everywhere else: serve the page with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp` (or `credentialless`) to have it.
 *
 * @example
 * ```ts
 * const results = sharedMemory ? chan<number>(64, { shared: true }) : chan<number>(64);
 * ```
 */
export const sharedMemory: boolean = sharedMemoryAvailable();

/** Node's worker_threads, where the host has it (read without an import, so that bundles for
 *  the browser carry no Node module). */
interface WorkerThreads {
  isMainThread: boolean;
  threadId: number;
  getEnvironmentData(key: string): unknown;
  setEnvironmentData(key: string, value: unknown): void;
}
interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  on(event: string, fn: (...args: any[]) => void): unknown;
}
export const nodeProcess: NodeProcess | undefined = (() => {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p !== undefined && typeof p.on === "function" ? p : undefined;
})();
export const workerThreads: WorkerThreads | undefined = (() => {
  try {
    const m = nodeProcess?.getBuiltinModule?.("node:worker_threads") as WorkerThreads | undefined;
    return m !== undefined && typeof m.setEnvironmentData === "function" ? m : undefined;
  } catch {
    return undefined;
  }
})();

/** This thread's instance of the core; undefined until ensureCore(). */
export let core: Core = undefined as unknown as Core;
/** This thread's context index in the core. */
export let T = -1;

/** T, read through a function: for modules bundled apart from the loader (pool-worker.ts), where
 *  an imported `let` would be read as a property of the shared chunk's exports. */
export function threadContext(): number {
  return T;
}
/** Word index (in views().i32) of this thread's context. */
export let CTX = 0;
/** This thread's memory; undefined until ensureCore(). */
export let memory: WebAssembly.Memory | undefined;

/** Views of the memory. */
export interface Views {
  i32: Int32Array;
  u32: Uint32Array;
  u16: Uint16Array;
  u8: Uint8Array;
  f64: Float64Array;
}
let v: Views = makeViews(new ArrayBuffer(0));

function makeViews(b: ArrayBufferLike): Views {
  return { i32: new Int32Array(b), u32: new Uint32Array(b), u16: new Uint16Array(b), u8: new Uint8Array(b), f64: new Float64Array(b) };
}

/** Views of the memory covering at least the thread contexts. */
export function views(): Views {
  return v.u8.length !== 0 ? v : (v = makeViews(memory!.buffer));
}

/** Views covering at least the first `end` bytes. */
export function viewsTo(end: number): Views {
  if (v.u8.length >= end) return v;
  v = makeViews(memory!.buffer);
  if (v.u8.length < end && memory!.buffer instanceof SharedArrayBuffer) {
    // Another thread grew the memory; this thread's memory.buffer may lag until it looks again.
    memory!.grow(0);
    v = makeViews(memory!.buffer);
  }
  return v;
}

/** A view of the memory as 32-bit words, covering at least the thread contexts. */
export function words(): Int32Array {
  return views().i32;
}

/** A view of the memory as 32-bit words, covering at least the first `end` words. */
export function wordsTo(end: number): Int32Array {
  return viewsTo(end * 4).i32;
}

let compiled: WebAssembly.Module | undefined;
let parentT = -1;

/** The memory this thread was given at load, before its core (Node: see the end of this file),
 *  or undefined. */
let fixedMemory: WebAssembly.Memory | undefined;

function newMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory(
    sharedMemory ? { initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true } : { initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES },
  );
}

/** Instantiates the core over the memory fixed at load, else `mem`, else a new memory. */
function instantiate(mem: WebAssembly.Memory | undefined): void {
  memory = fixedMemory ?? mem ?? newMemory();
  compiled ??= new WebAssembly.Module(coreBytes(sharedMemory));
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  const c = instance.exports as unknown as Core;
  const t = c.threadNew(0);
  if (t < 0) throw new Error("baton: the shared memory has no thread context left (at most 240 threads use one memory)");
  c.threadInit(t, parentT, workerThreads?.threadId ?? 0);
  core = c;
  T = t;
  CTX = (TBASE + t * TSIZE) >> 2;
  v = makeViews(memory.buffer);
  // The memory's identity: two random words, written once by the first thread.
  const id = (HDR + H_MEMID) >> 2;
  Atomics.compareExchange(v.i32, id, 0, (Math.random() * 0x7fffffff) | 1);
  Atomics.compareExchange(v.i32, id + 1, 0, (Math.random() * 0x7fffffff) | 1);
  if (workerThreads !== undefined && sharedMemory) {
    workerThreads.setEnvironmentData(ENV_MEMORY, memory);
    workerThreads.setEnvironmentData(ENV_PARENT, t);
  }
}

/** True when this thread's memory was fixed at load (Node) and workers may share it, whether or
 *  not this thread's core is instantiated yet. */
export function memoryFixedAtLoad(): boolean {
  return fixedMemory !== undefined;
}

/** Makes sure this thread's core is instantiated; with `adopt`, over that memory if it has none
 *  yet (and none was fixed at load). Returns whether this thread's memory is `adopt` (always true
 *  without one). */
export function ensureCore(adopt?: WebAssembly.Memory): boolean {
  if (core === undefined) instantiate(adopt);
  return adopt === undefined || sameMemory(adopt);
}

/** True when `m` is this thread's memory (possibly another JS object over the same buffer, as a
 *  memory posted between threads is). */
function sameMemory(m: WebAssembly.Memory): boolean {
  if (m === memory) return true;
  if (memory === undefined || !(m.buffer instanceof SharedArrayBuffer)) return false;
  const id = (HDR + H_MEMID) >> 2;
  const theirs = new Int32Array(m.buffer, 0, id + 2);
  const ours = views().i32;
  return Atomics.load(theirs, id) === Atomics.load(ours, id) && Atomics.load(theirs, id + 1) === Atomics.load(ours, id + 1);
}

/** Where the first copy of baton in a realm publishes its runtime (runtime.ts). */
export const RUNTIME_KEY = Symbol.for("batonjs.runtime");

// In Node, the memory is fixed at load: the parent's, if a baton of the parent thread left one,
// else a new one, which workers started from here on inherit. Not in a second copy of baton
// (runtime.ts): its entries hand out the first copy's runtime, and a memory of its own would
// replace the one that workers started afterwards inherit. A worker's core is instantiated at
// once (over its parent's memory, or a new one), so that the workers it starts know it as their
// parent (a worker that ends takes them with it). The main thread's waits for the first call that
// needs it (ensureCore), as in a browser:
// compiling the core is ~1.5 ms of loading that a program importing baton need not wait for
// until it uses it; the main thread is no worker's parent that can end before them.
if (workerThreads !== undefined && sharedMemory && (globalThis as { [RUNTIME_KEY]?: unknown })[RUNTIME_KEY] === undefined) {
  let inherited: unknown;
  try {
    inherited = workerThreads.getEnvironmentData(ENV_MEMORY);
    const p = workerThreads.getEnvironmentData(ENV_PARENT);
    if (typeof p === "number") parentT = p;
  } catch {
    inherited = undefined;
  }
  if (!workerThreads.isMainThread) {
    instantiate(inherited instanceof WebAssembly.Memory ? inherited : undefined);
  } else {
    fixedMemory = newMemory();
    workerThreads.setEnvironmentData(ENV_MEMORY, fixedMemory);
  }
}
