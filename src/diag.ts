// Diagnostics: the goroutine dump, Go's deadlock report, and the switches for both.
//
// goroutines() lists every live goroutine with Go's wait reason. A wait knows its goroutine when
// it was parked during the goroutine's synchronous start (go.ts explains why only then); the
// other waits are matched by elimination to the live goroutines whose state is not known, using
// when each goroutine last started running (see snapshot()). At quiescence (a deadlock, a leak
// check) every goroutine is parked, so the states are all there; the pairing of ids to
// unattributed waits is a best guess.
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
// and a false alarm is worse than none.

import {
  forEachWait, parkedWaits, slotAux, slotSince, stamp, wakeSources, current, K_RECV, K_RECV_OK,
  K_ITER, K_SEND, K_SELECT,
} from "./core.js";
import type { GRef } from "./core.js";
import { live, setCreationSites } from "./go.js";
import { setSpinMicros } from "./inbox.js";
import type { G, GoroutineInfo, CreationSites } from "./go.js";

/** Go's wait reason for a parked wait, from its token's kind (and a K_WAIT's recorded reason). */
function reasonOf(token: number, aux: unknown): string {
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

interface Wait {
  token: number;
  g: GRef | null;
  since: number;
  reason: string;
}

function parkedList(): Wait[] {
  const waits: Wait[] = [];
  forEachWait((token, g, since, aux) => waits.push({ token, g, since, reason: reasonOf(token, aux) }));
  waits.sort((a, b) => a.since - b.since);
  return waits;
}

interface Row {
  info: GoroutineInfo;
  g: G | null;
}

function snapshot(): { rows: Row[]; orphans: Wait[] } {
  const now = performance.now();
  const waits = parkedList(); // oldest first
  const unattributed = waits.filter((w) => w.g === null);
  const gs = live.slice().sort((a, b) => a.id - b.id);
  // Goroutines whose state is not known get unattributed waits by elimination. A goroutine's
  // current wait began no earlier than it last started running (g.since: its start, or the wake
  // of its last attributed wait), so a wait older than that is not its own (it is, say, the
  // program's). The goroutine that resumed last is matched first, to the oldest wait it can own.
  const unknown = gs.filter((g) => g.parkedToken < 0 && g.state !== 0 && g !== current);
  unknown.sort((a, b) => b.since - a.since);
  const matched = new Map<G, Wait>();
  const taken = new Set<Wait>();
  for (const g of unknown) {
    const w = unattributed.find((x) => !taken.has(x) && x.since >= g.since);
    if (w !== undefined) {
      taken.add(w);
      matched.set(g, w);
    }
  }
  const rows: Row[] = [];
  for (const g of gs) {
    let state: string;
    let since: number;
    const w = matched.get(g);
    if (g.parkedToken >= 0) {
      const s = g.parkedToken >>> 3;
      state = reasonOf(g.parkedToken, slotAux[s]);
      since = slotSince[s]!;
    } else if (g.state === 0) {
      state = "runnable";
      since = g.since;
    } else if (w !== undefined) {
      state = w.reason;
      since = w.since;
    } else {
      state = "running"; // the caller, or awaiting something that is not baton's
      since = g.since;
    }
    rows.push({
      g,
      info: { id: g.id, state, waitingSinceMs: Math.max(0, Math.round(now - since)), createdAt: g.createdAt() },
    });
  }
  return { rows, orphans: unattributed.filter((w) => !taken.has(w)) };
}

/**
 * Go's goroutine dump (`runtime.Stack` with all goroutines), as data: one entry per live
 * goroutine of this thread, with Go's wait reason as its state, how long it has been in it, and
 * where it was created.
 *
 * @example
 * ```ts
 * for (const g of goroutines()) console.log(`goroutine ${g.id} [${g.state}] created at ${g.createdAt}`);
 * ```
 */
export function goroutines(): GoroutineInfo[] {
  stamp();
  return snapshot().rows.map((r) => r.info);
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60000);
  return m >= 1 ? `, ${m} minutes` : "";
}

/** The dump as Go prints it: a paragraph per goroutine; waits of code that is not a goroutine
 *  (the program's top level, a callback) come first, as goroutine 0. */
export function formatDump(): string {
  const { rows, orphans } = snapshot();
  const now = performance.now();
  const parts: string[] = [];
  for (const w of orphans) {
    parts.push(`goroutine 0 [${w.reason}${minutes(now - w.since)}]:\n\t(the program itself, not a goroutine)`);
  }
  for (const { info } of rows) {
    const site = info.createdAt === "" ? "" : `\ncreated at ${info.createdAt}`;
    parts.push(`goroutine ${info.id} [${info.state}${minutes(info.waitingSinceMs)}]:${site}`);
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

/**
 * Sets baton's process-wide options.
 *
 * @example
 * ```ts
 * configure({ deadlockDetection: false }); // e.g. a REPL, where waiting forever is expected
 * ```
 */
export function configure(options: BatonOptions): void {
  if (options === null || typeof options !== "object") throw new TypeError("configure: expected an options object");
  if (options.deadlockDetection !== undefined) deadlockDetection = options.deadlockDetection === true;
  const spin = options.spinMicros;
  if (spin !== undefined) {
    if (typeof spin !== "number" || !(spin >= 0) || spin > 1e6) throw new RangeError("configure: spinMicros must be a number from 0 to 1000000");
    setSpinMicros(spin);
  }
  const sites = options.creationSites;
  if (sites !== undefined) {
    if (sites === true) setCreationSites("sampled");
    else if (sites === false) setCreationSites("off");
    else if (sites === "sampled" || sites === "all" || sites === "off") setCreationSites(sites);
    else throw new TypeError(`configure: creationSites must be "sampled", "all", "off" or a boolean`);
  }
}

// Before the loop goes idle: let the wake sources (pending timers) keep it alive while waits are
// parked.
function onBeforeExit(): void {
  const parked = parkedWaits() > 0;
  for (const source of wakeSources) source(parked);
}

// At exit: the top level is stuck on an await (code 13) with baton waits parked: a deadlock.
function onExit(): void {
  const proc = (globalThis as { process?: NodeProcessLike }).process!;
  if (!deadlockDetection || proc.exitCode !== 13 || parkedWaits() === 0) return;
  proc.stderr.write(`fatal error: all goroutines are asleep - deadlock!\n\n${formatDump()}\n`);
  proc.exitCode = 2;
}

interface NodeProcessLike {
  on(event: string, fn: () => void): unknown;
  exitCode: number | string | undefined;
  stderr: { write(s: string): unknown };
}

const proc = (globalThis as { process?: Partial<NodeProcessLike> }).process;
if (proc !== undefined && typeof proc.on === "function" && proc.stderr !== undefined) {
  proc.on("beforeExit", onBeforeExit);
  proc.on("exit", onExit);
}
