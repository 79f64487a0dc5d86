// Diagnostics: the goroutine dump, Go's deadlock report, and the switches for both.
//
// What a dump can know. JavaScript cannot tell which async function a line of code belongs to
// after an `await` (go.ts explains why, and why baton does not use AsyncLocalStorage). A wait
// parked while a goroutine's synchronous start runs is that goroutine's (slots.ts records it in
// slotG and g.parkedToken); any other wait could be the program's own code (the top level, a
// callback) or any goroutine's that has passed its first await. So the dump states only what it
// knows:
//  - a goroutine parked in a wait it is known to own: Go's wait reason ("chan receive", ...);
//  - a goroutine not started yet: "runnable";
//  - the goroutine whose synchronous start is running (`current`): "running";
//  - any other goroutine: Go's generic "waiting" (suspended in an await whose wait is not known;
//    or, if the caller is that goroutine after its first await, running). Never a guessed reason.
// The waits that no goroutine is known to own are listed apart in the text dump: as the program's
// own ("goroutine 0") when no goroutine is "waiting", else as waits of the program or of one of
// the "waiting" goroutines, naming them, since which is whose cannot be known. (Gaps: a goroutine
// that parks two waits in its synchronous start, as Promise.all or Promise.race do, is known to
// own only the first, since takeSlot records one wait per goroutine, so the second is counted as
// the program's when no goroutine is "waiting"; and a goroutine whose known wait lost a
// Promise.race is still shown in it after it has moved on.)
//
// Deadlock (Node): Go reports a deadlock when main and every goroutine are blocked and nothing
// can wake them. JavaScript's "main" is the program's top-level code: when it waits on a baton
// operation with a top-level await and the event loop runs dry (no timer, no I/O left; a pending
// baton timer that a parked wait could be woken by keeps the loop alive, see wakeSources), Node
// ends with its "unsettled top-level await" code 13. If baton waits are parked at that point,
// nothing can ever wake them: baton prints Go's report and the dump and exits with code 2. A
// program whose top level has finished exits normally, whatever waits are left (Go's main
// returning), and so does one whose top level never awaited (an un-awaited async main()): waits
// left over from Promise.race, or several waits of one goroutine, cannot be told apart from it,
// and a false alarm is worse than none. A program that calls process.exit(13) itself is not
// deadlocked either (see onExit). The report is written synchronously, whole: at 'exit' an
// asynchronous write to a pipe that is full (64 KiB on Linux) would be cut off.

import {
  forEachWait, parkedWaits, slotAux, sinceOf, stamp, wakeSources, current, reasonOf,
} from "./core.js";
import { live, setCreationSites } from "./go.js";
import { setSpinMicros } from "./inbox.js";
import type { G, GoroutineInfo, CreationSites } from "./go.js";

/** Go's generic state for a goroutine that is suspended in a wait baton does not know. */
const WAITING = "waiting";

interface Wait {
  since: number;
  reason: string;
}

/** The parked waits that no goroutine is known to own, oldest first. */
function unattributedWaits(): Wait[] {
  const waits: Wait[] = [];
  forEachWait((token, g, since, aux) => {
    if (g === null) waits.push({ since, reason: reasonOf(token, aux) });
  });
  waits.sort((a, b) => a.since - b.since);
  return waits;
}

interface Row {
  info: GoroutineInfo;
  /** True where the goroutine's wait is not known (state "waiting"). */
  unknown: boolean;
}

/** One row per live goroutine, by id: only what is known (see the top of this file). */
function rows(): Row[] {
  const now = performance.now();
  const gs: G[] = live.slice().sort((a, b) => a.id - b.id);
  const out: Row[] = [];
  for (const g of gs) {
    let state: string;
    let since = g.since;
    let unknown = false;
    if (g === current) {
      state = "running";
    } else if (g.parkedToken >= 0) {
      const s = g.parkedToken >>> 3;
      state = reasonOf(g.parkedToken, slotAux[s]);
      since = sinceOf(s);
    } else if (g.fn !== null) {
      state = "runnable";
    } else {
      state = WAITING;
      unknown = true;
    }
    out.push({
      unknown,
      info: { id: g.id, state, waitingSinceMs: Math.max(0, Math.round(now - since)), createdAt: g.createdAt(), fn: g.fnName() },
    });
  }
  return out;
}

/**
 * Go's goroutine dump (`runtime.Stack` with all goroutines), as data: one entry per live
 * goroutine of this thread, with its state, how long it has been in it, where it was created and
 * the name of its function.
 *
 * A state is only ever what baton knows: Go's wait reason ("chan receive", "select",
 * "sync.Mutex.Lock", ...) for a wait the goroutine parked during its synchronous start (before
 * its first `await`), "runnable" before it starts, "running" while its synchronous start runs,
 * and Go's generic "waiting" otherwise: JavaScript cannot tell whose code parks a wait after an
 * `await`, so baton shows such a goroutine as waiting rather than guess its wait.
 *
 * @example
 * ```ts
 * for (const g of goroutines()) console.log(`goroutine ${g.id} [${g.state}] ${g.fn || "(anonymous)"}, created at ${g.createdAt}`);
 * ```
 */
export function goroutines(): GoroutineInfo[] {
  stamp();
  return rows().map((r) => r.info);
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60000);
  return m >= 1 ? `, ${m} minutes` : "";
}

/** A wait's age for the unattributed list: ms under a second, s under a minute, else minutes. */
function age(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  if (t < 1000) return `${t} ms`;
  if (t < 60000) return `${Math.floor(t / 1000)} s`;
  return `${Math.floor(t / 60000)} minutes`;
}

/** Ids as ranges: [1, 2, 3, 5] gives "1-3, 5". */
function idRanges(ids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(j === i ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(", ");
}

/**
 * The dump as Go prints it: a paragraph per goroutine (`goroutine N [state, M minutes]:`, its
 * function's name as `name(...)` unless it is anonymous, and its creation site). Waits that no goroutine is known to own come first: when no goroutine is
 * "waiting" they are the program's own, each printed as goroutine 0; otherwise they are listed
 * together, as waits of the program or of the goroutines shown as [waiting], which are named.
 */
export function formatDump(): string {
  stamp();
  const all = rows();
  const loose = unattributedWaits();
  const now = performance.now();
  const parts: string[] = [];
  const unknownIds = all.filter((r) => r.unknown).map((r) => r.info.id);
  if (unknownIds.length === 0) {
    for (const w of loose) {
      parts.push(`goroutine 0 [${w.reason}${minutes(now - w.since)}]:\n\t(the program itself, not a goroutine)`);
    }
  } else if (loose.length > 0) {
    const whose = unknownIds.length === 1 ? `goroutine ${unknownIds[0]}` : `one of goroutines ${idRanges(unknownIds)}`;
    const lines = loose.map((w) => `\t[${w.reason}] for ${age(now - w.since)}`);
    parts.push(
      `unattributed waits (${loose.length}): each is a wait of the program itself (code that is not a goroutine) ` +
        `or of ${whose}, shown as [waiting]; which is whose cannot be known:\n${lines.join("\n")}`,
    );
  }
  for (const { info } of all) {
    const fn = info.fn === "" ? "" : `\n${info.fn}(...)`;
    const site = info.createdAt === "" ? "" : `\ncreated at ${info.createdAt}`;
    parts.push(`goroutine ${info.id} [${info.state}${minutes(info.waitingSinceMs)}]:${fn}${site}`);
  }
  return parts.join("\n\n");
}

let deadlockDetection = true;

/** Options for {@link configure}. */
export interface BatonOptions {
  /** Report Go's deadlock and exit with code 2 when the program's top-level await and every
   *  goroutine are asleep on baton waits (Node). Default on. */
  deadlockDetection?: boolean;
  /** How to record where each goroutine was created (goroutines(), panic reports, leak checks).
   *  A stack capture costs 1–3 µs, ten times the rest of a goroutine. "sampled" (the default):
   *  every go() records its own site while fewer than 1000 were captured in the last second;
   *  beyond that it reuses the site last captured for the same function. "all": every go()
   *  captures (exact, slow in hot loops). "off" (or false): none; createdAt is "". `true` means
   *  "sampled". */
  creationSites?: CreationSites | boolean;
  /** Microseconds a thread with waits on shared channels spins on its inbox before it sleeps
   *  (Atomics.waitAsync). Spinning answers a partner thread within a microsecond or two, where
   *  waking a sleeping thread takes several; it holds up this thread's other tasks (timers, I/O)
   *  for at most that long each time it goes idle. Default 50; 0 never spins. */
  spinMicros?: number;
}

/** configure()'s option names. */
const OPTION_NAMES = ["deadlockDetection", "creationSites", "spinMicros"] as const;

/** A value as an error message shows it. */
function shown(v: unknown): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "object":
      return v === null ? "null" : "an object";
    case "function":
      return "a function";
    default:
      return String(v); // numbers, booleans, bigints, symbols, undefined
  }
}

/**
 * Sets baton's process-wide options. An option name it does not know (a typo) or a value it does
 * not accept throws a `TypeError` naming the option and what it accepts (a number out of range:
 * `RangeError`), and then nothing of the call is applied.
 *
 * @example
 * ```ts
 * configure({ deadlockDetection: false }); // e.g. a REPL, where waiting forever is expected
 * ```
 */
export function configure(options: BatonOptions): void {
  if (options === null || typeof options !== "object") throw new TypeError("configure: expected an options object");
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key !== "string" || !(OPTION_NAMES as readonly string[]).includes(key)) {
      const name = typeof key === "string" ? JSON.stringify(key) : String(key);
      throw new TypeError(`configure: unknown option ${name}; the options are ${OPTION_NAMES.join(", ")}`);
    }
  }
  // Every value is checked before any is applied.
  const detection: unknown = options.deadlockDetection;
  if (detection !== undefined && typeof detection !== "boolean") {
    throw new TypeError(`configure: deadlockDetection must be true or false, got ${shown(detection)}`);
  }
  const spin: unknown = options.spinMicros;
  if (spin !== undefined) {
    if (typeof spin !== "number") throw new TypeError(`configure: spinMicros must be a number from 0 to 1000000, got ${shown(spin)}`);
    if (!(spin >= 0) || spin > 1e6) throw new RangeError(`configure: spinMicros must be a number from 0 to 1000000, got ${spin}`);
  }
  const sites: unknown = options.creationSites;
  let mode: CreationSites | undefined;
  if (sites === true) mode = "sampled";
  else if (sites === false) mode = "off";
  else if (sites === "sampled" || sites === "all" || sites === "off") mode = sites;
  else if (sites !== undefined) {
    throw new TypeError(`configure: creationSites must be "sampled", "all", "off" or a boolean, got ${shown(sites)}`);
  }
  if (detection !== undefined) deadlockDetection = detection;
  if (spin !== undefined) setSpinMicros(spin);
  if (mode !== undefined) setCreationSites(mode);
}

// Before the loop goes idle: let the wake sources (pending timers) keep it alive while waits are
// parked.
function onBeforeExit(): void {
  const parked = parkedWaits() > 0;
  for (const source of wakeSources) source(parked);
}

// At exit: the top level is stuck on an await (code 13) with baton waits parked: a deadlock.
// Node sets code 13 from an 'exit' listener of its own (handleProcessExit), which it registers
// before the main module loads and which process.exit() removes before it emits 'exit': when that
// listener was there at load and is gone now, the program called process.exit(13) itself, and is
// not deadlocked. (Where it was not found, e.g. a CommonJS entry or a Node that renamed it, only
// the exit code is checked.)
function onExit(): void {
  const proc = (globalThis as { process?: NodeProcessLike }).process!;
  if (!deadlockDetection || proc.exitCode !== 13 || parkedWaits() === 0) return;
  if (tlaListener !== undefined && !proc.listeners("exit").includes(tlaListener)) return;
  writeAll(proc, `fatal error: all goroutines are asleep - deadlock!\n\n${formatDump()}\n`);
  proc.exitCode = 2;
}

/** How long writeAll waits for a reader that takes nothing before it gives up. */
const STALL_MS = 5000;

// Writes text to stderr synchronously and whole, with fs.writeSync, looping over partial writes;
// where stderr is a non-blocking pipe that is full (EAGAIN), it waits a millisecond at a time for
// the reader, giving up after STALL_MS without progress (a reader that never reads must not hang
// the exit). No static import of node:fs (this module is bundled for browsers too):
// process.getBuiltinModule (Node 20.16+) where it exists, else process.stderr.write.
function writeAll(proc: NodeProcessLike, text: string): void {
  let fs: FsLike | undefined;
  try {
    fs = typeof proc.getBuiltinModule === "function" ? (proc.getBuiltinModule("fs") as FsLike) : undefined;
  } catch {
    fs = undefined;
  }
  if (fs === undefined || typeof fs.writeSync !== "function") {
    proc.stderr.write(text);
    return;
  }
  const bytes = new TextEncoder().encode(text);
  let pause: Int32Array | undefined;
  let off = 0;
  let stalledSince = -1;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(2, bytes, off, bytes.length - off);
      stalledSince = -1;
    } catch (e) {
      if ((e as { code?: unknown } | null)?.code !== "EAGAIN") {
        // EPIPE: nobody reads. Anything else before a byte went out: let the stream try.
        if (off === 0) {
          try {
            proc.stderr.write(text);
          } catch {
            // nowhere left to write
          }
        }
        return;
      }
      const now = Date.now();
      if (stalledSince < 0) stalledSince = now;
      else if (now - stalledSince > STALL_MS) return;
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

interface FsLike {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
}

interface NodeProcessLike {
  on(event: string, fn: () => void): unknown;
  listeners(event: string): Function[];
  exitCode: number | string | undefined;
  stderr: { write(s: string): unknown };
  getBuiltinModule?: (id: string) => unknown;
}

const proc = (globalThis as { process?: Partial<NodeProcessLike> }).process;
/** Node's listener that sets exit code 13 for an unsettled top-level await (see onExit). */
let tlaListener: Function | undefined;
// `"stderr" in proc`, not a read: Node makes process.stderr's stream when it is first read
// (~0.5 ms at load), and a report may never be written.
if (proc !== undefined && typeof proc.on === "function" && "stderr" in proc) {
  if (typeof proc.listeners === "function") {
    tlaListener = proc.listeners("exit").find((f) => f.name === "handleProcessExit");
  }
  proc.on("beforeExit", onBeforeExit);
  proc.on("exit", onExit);
}
