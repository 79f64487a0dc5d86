// Foreign channels: channels whose values live outside the core (batonjs/nats keeps them in a
// NATS server), and how they take part in select beside the core's channels.
//
// A foreign channel is a Chan subclass whose core id is 0, which the core takes for a nil
// channel: select.ts writes it into the scratch block like any case and the core never fires it.
// Once one exists, every select runs through outsideSelect below (select.ts, setOutsideSelect):
//  1. Foreign cases that this process can perform now (a value it already holds; a send on a
//     channel it knows is closed) compete with the core's cases: with k such cases and m other
//     non-nil cases, a foreign one is performed with probability k / (k + m), else the core polls
//     its cases without waiting and a foreign one is performed only if none of them could
//     proceed. Where every case can proceed that is uniform, as Go's select is.
//  2. Otherwise, a select that may wait parks in the core over its other cases (runCore), or,
//     with none, under a slot of its own; then each foreign case is armed: its channel works on
//     making it proceed (asks its server for a value, or for room).
//  3. An armed case that can proceed claims the select (ParkedSelect.claim): the core's waiters
//     are withdrawn as an AbortSignal would withdraw them (selCancel), and only if that succeeds
//     does the case take its value or send; a case whose claim fails leaves the value where it
//     was (a NATS channel hands it back to its server). A core case that fires first settles the
//     select as usual, and the foreign cases are disarmed when its promise settles.
//
// Invariants:
//  A parked select is settled once: by a core waker, by its AbortSignal, or by the one foreign
//   case whose claim returned 1 (claims check that the select's slot still holds its resolve
//   function, and selCancel fails once a core case fired).
//  A foreign case performs its operation only after its claim succeeded, or in step 1.

import { Chan, FOREIGN_KEY } from "./chan.js";
import { SelectCase, runCore, setOutsideSelect, withdrawSelect, lastParkedToken } from "./select.js";
import type { Case } from "./select.js";
import { peekToken, park, slotFn, dropWait, withdrawWhenAborted, K_SELECT, MAX_CASES } from "./core.js";

/**
 * A channel whose values live outside the core. Subclasses override every method of Chan (the
 * base's would reach the core with id 0) and implement the select protocol below.
 */
export abstract class ForeignChan<T> extends Chan<T> {
  constructor(capacity: number) {
    super(FOREIGN_KEY, 0, capacity, false);
    setOutsideSelect(outsideSelect);
  }

  /** Whether select case `c` (on this channel) can be performed now, without waiting. */
  abstract readyNow(c: SelectCase): boolean;

  /** Performs case `c`, which readyNow has just said can proceed: sets a receive case's `value`
   *  and `ok`. Throws PanicError for a send on a closed channel. */
  abstract performNow(c: SelectCase): void;

  /** Arms case `c`, index `i` of the parked select `sel`: once the case can proceed, the channel
   *  claims `sel` and, if that succeeds, performs the case and settles `sel` (done or fail). */
  abstract arm(c: SelectCase, i: number, sel: ParkedSelect): void;

  /** Disarms case `c` of `sel`, which has settled (by any case). Idempotent. */
  abstract disarm(c: SelectCase, sel: ParkedSelect): void;
}

/** A parked select, as its foreign cases see it. */
export class ParkedSelect {
  constructor(
    readonly cases: readonly Case[],
    readonly token: number,
    private readonly fn: (v: unknown) => void,
    /** Whether the select has waiters in the core (else only its slot). */
    private readonly inCore: boolean,
  ) {}

  /** Whether the select still waits: nothing has fired, withdrawn or claimed it. */
  get waiting(): boolean {
    return slotFn[this.token >>> 3] === this.fn;
  }

  /** Takes the select for one of its foreign cases: 1 taken (the caller must settle it with done
   *  or fail), 0 it has fired or was withdrawn (or a core case's completion is on its way), -2
   *  not now (a shared channel's lock stayed taken: claim again later). */
  claim(): number {
    if (!this.waiting) return 0;
    const r = this.inCore ? withdrawSelect(this.cases, this.token) : 1;
    if (r !== 1) return r;
    dropWait(this.token); // frees the slot and the cases
    return 1;
  }

  /** Settles a claimed select: case i fired. */
  done(i: number): void {
    this.fn(i);
  }

  /** Settles a claimed select with an error. */
  fail(e: unknown): void {
    this.fn(Promise.reject(e));
  }
}

/** select.ts's run() once a foreign channel exists (see the top of this file). */
function outsideSelect(cases: readonly Case[], block: boolean, signal?: AbortSignal): number | Promise<number> {
  // Anything runCore would refuse goes to runCore, which throws before it performs any case.
  if (!Array.isArray(cases) || cases.length > MAX_CASES) return runCore(cases, block, signal);
  let foreign = 0, ready = 0, others = 0, unchecked = false;
  for (let i = 0; i < cases.length; i++) {
    const c: unknown = cases[i];
    if (!(c instanceof SelectCase) || c.parkedIn !== null) return runCore(cases, block, signal);
    const ch = c.ch;
    if (ch instanceof ForeignChan) {
      foreign++;
      if (ch.readyNow(c)) ready++;
    } else if (ch !== null) {
      if (!(ch instanceof Chan)) return runCore(cases, block, signal);
      others++;
      // A case runCore has not checked with this channel (its send on a receive-only channel
      // must throw before any case is performed): runCore goes first below.
      if (ch !== c.checkedCh) unchecked = true;
    }
  }
  if (foreign === 0) return runCore(cases, block, signal);
  if (ready > 0 && !unchecked && Math.random() * (ready + others) < ready) return performReady(cases, ready);
  const r = runCore(cases, false);
  if (r !== -1) return r;
  if (ready > 0) return performReady(cases, ready);
  if (!block) return -1;
  let token: number;
  let p: Promise<number>;
  if (others > 0) {
    const q = runCore(cases, true, signal);
    if (typeof q === "number") return q;
    token = lastParkedToken();
    if (token < 0) return q; // tried again after a macrotask, through this function
    p = q;
  } else {
    // Only foreign (and nil) cases: nothing for the core to wait on. The select parks under a
    // slot of its own, as a select (so that dumps show it as one).
    token = peekToken(K_SELECT);
    for (let i = 0; i < cases.length; i++) cases[i]!.parkedIn = cases;
    p = park(token, cases);
    if (signal !== undefined) withdrawWhenAborted(token, signal, p, () => 1);
  }
  const sel = new ParkedSelect(cases, token, slotFn[token >>> 3]!, others > 0);
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    if (c.ch instanceof ForeignChan) c.ch.arm(c, i, sel);
  }
  const disarm = (): void => {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      if (c.ch instanceof ForeignChan) c.ch.disarm(c, sel);
    }
  };
  p.then(disarm, disarm);
  return p;
}

/** Performs one of the `ready` foreign cases that can proceed now, chosen uniformly. */
function performReady(cases: readonly Case[], ready: number): number {
  let pick = Math.floor(Math.random() * ready);
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const ch = c.ch;
    if (ch instanceof ForeignChan && ch.readyNow(c) && pick-- === 0) {
      ch.performNow(c);
      return i;
    }
  }
  return -1; // not reached: readyNow has no side effects
}
