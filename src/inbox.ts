// The JS side of assembly/inbox.ts: how this thread hears that another thread completed one of
// its parked waits, without ever blocking its event loop.
//
// While waits that another thread can complete are parked (slots.ts, sharedParked), this thread
// runs an idle loop, one macrotask at a time so that the goroutines it wakes run in between:
//   drain:  take every completion from the inbox (core.inboxNext) and settle its promise;
//   spin:   if nothing came, look at the inbox word for up to `spinMicros` (a partner thread in a
//           ping-pong answers within a few microseconds, much sooner than a sleeping thread can
//           be woken);
//   sleep:  else set SLEEPING and Atomics.waitAsync on WAKE: a poster notifies only a sleeper.
// The loop stops when no such wait is left. Every shared operation of this thread also drains
// the inbox when its word is non-zero, so a busy thread sees completions without a macrotask.
//
// Keeping the process alive (Node): Atomics.waitAsync does not keep a thread's event loop alive.
// While it sleeps with such waits parked, the loop holds a ref'd timer — unless no other live
// thread holds any channel it waits on (then nothing can wake it: a deadlock, which Node's exit
// and diag.ts report).

import { core, T, CTX, views, sharedParked, nodeProcess } from "./core.js";
import { T_INBOX, T_WAKE, T_SLEEPING, T_DEFERRED } from "./core-layout.generated.js";
import { macrotask } from "./macrotask.js";
import { completeRemote, sharedWaitsWakeable } from "./chan.js";

let armed = false;
/** The idle loop is in Atomics.waitAsync (sleep() to onWake()). */
let asleep = false;
let spinMicros = 50;

/** Sets how long an idle thread spins on its inbox before it sleeps (configure({ spinMicros })). */
export function setSpinMicros(us: number): void {
  spinMicros = us;
}

/** Takes every completion from this thread's inbox and settles it. True if there was one. */
export function drainInbox(): boolean {
  const i32 = views().i32;
  if (i32[CTX + (T_DEFERRED >> 2)] !== 0) core.selDeferred(T);
  let any = false;
  for (;;) {
    const r = core.inboxNext(T);
    if (r < 0) return any;
    any = true;
    completeRemote(r);
  }
}

/** Drains the inbox if something is in it: one load when nothing is. */
export function pollInbox(): void {
  const i32 = views().i32;
  if (i32[CTX + (T_INBOX >> 2)] !== 0 || i32[CTX + (T_DEFERRED >> 2)] !== 0) drainInbox();
}

/** Called once a wait that another thread can complete has been parked; `daemon` for one that
 *  keeps nothing alive. A wait parked while the loop sleeps unref'd (its waits so far were
 *  daemons, or none of them could be woken) may be one that must keep the thread alive: it is
 *  looked at now, as sleep() would have. */
export function watchInbox(daemon = false): void {
  if (!armed) {
    armed = true;
    macrotask(idle);
  } else if (asleep && !refd && !daemon) {
    keepAlive(true);
  }
}

function next(): void {
  if (sharedParked === 0 && views().i32[CTX + (T_DEFERRED >> 2)] === 0) {
    armed = false;
    keepAlive(false);
  } else {
    macrotask(idle);
  }
}

function idle(): void {
  if (drainInbox()) return next();
  if (sharedParked === 0) return next();
  const i32 = views().i32;
  // A select teardown that found a lock taken (assembly/select.ts, DEFERRED) is retried from the
  // next macrotask rather than slept on: no other thread would wake this one for it.
  if (i32[CTX + (T_DEFERRED >> 2)] !== 0) return next();
  const inbox = CTX + (T_INBOX >> 2);
  if (spinMicros > 0) {
    const until = performance.now() + spinMicros / 1000;
    let n = 0;
    while (Atomics.load(i32, inbox) === 0) {
      if ((++n & 127) === 0 && performance.now() >= until) break;
    }
    if (Atomics.load(i32, inbox) !== 0) {
      drainInbox();
      return next();
    }
  }
  sleep();
}

function sleep(): void {
  const i32 = views().i32;
  const wake = CTX + (T_WAKE >> 2);
  const sleeping = CTX + (T_SLEEPING >> 2);
  const seq = Atomics.load(i32, wake);
  Atomics.store(i32, sleeping, 1);
  if (Atomics.load(i32, CTX + (T_INBOX >> 2)) !== 0) {
    Atomics.store(i32, sleeping, 0);
    drainInbox();
    return next();
  }
  keepAlive(true);
  asleep = true;
  const r = (Atomics as unknown as AtomicsWaitAsync).waitAsync(i32, wake, seq);
  if (r.async) (r.value as Promise<string>).then(onWake);
  else onWake();
}

interface AtomicsWaitAsync {
  waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
}

function onWake(): void {
  asleep = false;
  Atomics.store(views().i32, CTX + (T_SLEEPING >> 2), 0);
  drainInbox();
  next();
}

// ── keeping Node alive while another thread can still wake us ─────────────────────────────────

interface Timer {
  ref(): unknown;
  unref(): unknown;
}
let timer: Timer | undefined;
let refd = false;

function keepAlive(on: boolean): void {
  if (nodeProcess === undefined) return;
  if (on && !sharedWaitsWakeable()) on = false;
  if (on === refd) return;
  if (timer === undefined) {
    const t = setInterval(() => {}, 1 << 30) as unknown as Timer;
    if (typeof t !== "object" || typeof t.ref !== "function") return;
    timer = t;
  }
  refd = on;
  if (on) timer.ref();
  else timer.unref();
}

/** Looks again at whether another live thread can still wake this one (after a thread ended). */
export function recheckKeepAlive(): void {
  if (refd) keepAlive(true);
  if (armed) {
    // Wake the sleeping loop so that it looks again at what it waits for.
    const i32 = views().i32;
    Atomics.add(i32, CTX + (T_WAKE >> 2), 1);
    Atomics.notify(i32, CTX + (T_WAKE >> 2));
  }
}
