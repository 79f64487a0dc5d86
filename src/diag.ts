// Diagnostics: the goroutine dump, Go's deadlock report, and the switches for both.
//
// goroutines() lists every live goroutine with Go's wait reason. A wait knows its goroutine when
// it was parked during the goroutine's synchronous start (go.ts explains why only then); the
// other waits are matched by elimination to the live goroutines whose state is not known, oldest
// goroutine to oldest wait. At quiescence (a deadlock, a leak check) every goroutine is parked,
// so the list is complete; only the pairing of ids to unattributed waits is a best guess.
//
// Deadlock (Node): when the event loop is about to go idle (Node's 'beforeExit': no timer, no I/O
// left) while waits are parked, and no wake source (a pending baton timer) will wake one, then no
// goroutine can ever run again. If more waits are parked than there are goroutines, the program
// itself (not a goroutine: top-level code or a callback) is among them, as Go's main would be,
// and baton prints Go's report and exits with code 2. With as many waits as goroutines or fewer,
// the program has finished and only goroutines are left: as a Go program whose main returns,
// it simply exits.

import {
  forEachWait, parkedWaits, slotAux, slotSince, stamp, wakeSources, K_RECV, K_RECV_OK, K_ITER,
  K_SEND, K_SELECT,
} from "./core.js";
import type { GRef } from "./core.js";
import { live, setCreationSites } from "./go.js";
import type { G, GoroutineInfo } from "./go.js";

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
  const waits = parkedList();
  const unattributed = waits.filter((w) => w.g === null);
  const gs = live.slice().sort((a, b) => a.id - b.id);
  const rows: Row[] = [];
  let u = 0;
  for (const g of gs) {
    let state: string;
    let since: number;
    if (g.parkedToken >= 0) {
      const s = g.parkedToken >>> 3;
      state = reasonOf(g.parkedToken, slotAux[s]);
      since = slotSince[s]!;
    } else if (g.state === 0) {
      state = "runnable";
      since = g.since;
    } else if (u < unattributed.length) {
      const w = unattributed[u++]!;
      state = w.reason;
      since = w.since;
    } else {
      state = "running";
      since = g.since;
    }
    rows.push({
      g,
      info: { id: g.id, state, waitingSinceMs: Math.max(0, Math.round(now - since)), createdAt: g.createdAt() },
    });
  }
  return { rows, orphans: unattributed.slice(u) };
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
  /** Report Go's deadlock and exit with code 2 when every goroutine is asleep (Node). Default on. */
  deadlockDetection?: boolean;
  /** Record where each goroutine was created, for goroutines() and panic reports. Capturing a
   *  stack costs 1–2 µs the first time a function is started as a goroutine (it is cached per
   *  function); turn it off where goroutines are spawned from fresh closures in a hot loop.
   *  Default on. */
  creationSites?: boolean;
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
  if (options.creationSites !== undefined) setCreationSites(options.creationSites === true);
}

function onBeforeExit(): void {
  const waits = parkedWaits();
  let pending = false;
  for (const source of wakeSources) if (source(waits > 0)) pending = true;
  if (!deadlockDetection || waits === 0 || pending) return;
  if (waits <= live.length) return; // only goroutines are left: the program itself has finished
  const proc = (globalThis as { process?: NodeProcessLike }).process!;
  proc.stderr.write(`fatal error: all goroutines are asleep - deadlock!\n\n${formatDump()}\n`);
  proc.exit(2);
}

interface NodeProcessLike {
  on(event: string, fn: () => void): unknown;
  exit(code: number): never;
  stderr: { write(s: string): unknown };
}

const proc = (globalThis as { process?: Partial<NodeProcessLike> }).process;
if (proc !== undefined && typeof proc.on === "function" && typeof proc.exit === "function" && proc.stderr) {
  proc.on("beforeExit", onBeforeExit);
}
