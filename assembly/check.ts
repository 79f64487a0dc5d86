// A debug walker of one channel: checks the invariants that chan.ts states, as AssemblyScript's
// tlsf.ts checks its own under a debug flag and Go's runtime checks its queues. The model tests
// call it after every step, so a broken invariant is found at the step that broke it.

import {
  C_MAGIC, C_FLAGS, C_CAP, C_COUNT, C_HEAD, C_TAIL, C_RECVQ_HEAD, C_SENDQ_HEAD, MAGIC_CHAN,
  MAGIC_WAITER, MAGIC_SELECT, F_CLOSED, W_MAGIC, W_NEXT, W_PREV, W_CHAN, W_SEL, W_QUEUED,
  S_MAGIC, S_DONE, MAX_THREADS,
} from "./layout";
import { validChan, isShared } from "./chan";
import { lockChan, unlockChan } from "./lock";

// Walks queue q of c. Returns the number of live waiters (not of a fired select), or a negative
// code: -10 a waiter's magic, -11 W_CHAN, -12 W_PREV, -13 W_QUEUED, -14 the tail, -15 a select's
// magic, -16 a cycle.
function walk(c: u32, q: u32): i32 {
  let prev: u32 = 0;
  let w = load<u32>(c + q);
  let live: i32 = 0;
  let steps: u32 = 0;
  while (w != 0) {
    if (++steps > 50_000_000) return -16;
    if (load<u32>(w, W_MAGIC) != MAGIC_WAITER) return -10;
    if (load<u32>(w, W_CHAN) != c) return -11;
    if (load<u32>(w, W_PREV) != prev) return -12;
    if (load<u32>(w, W_QUEUED) != 1) return -13;
    const s = load<u32>(w, W_SEL);
    if (s != 0) {
      if (load<u32>(s, S_MAGIC) != MAGIC_SELECT) return -15;
      if (load<u32>(s, S_DONE) == 0) live++;
    } else {
      live++;
    }
    prev = w;
    w = load<u32>(w, W_NEXT);
  }
  if (load<u32>(c + q + 4) != prev) return -14;
  return live;
}

/** Checks channel c's invariants (under its lock if shared). 0 if all hold, else a negative
 *  code: -1 not a channel, -2 ring positions, -3 count > cap, -4 values and waiting receivers
 *  at once, -5 room and waiting senders at once, -6 closed with waiting senders, -7 closed,
 *  drained and waiting receivers; -10..-16 a queue (see walk). */
export function chanCheck(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return -1;
  const shared = isShared(c);
  if (shared) lockChan(t, c);
  const r = check(c, shared);
  if (shared) unlockChan(c);
  return r;
}

function check(c: u32, shared: bool): i32 {
  if (load<u32>(c, C_MAGIC) != MAGIC_CHAN) return -1;
  const cap = load<u32>(c, C_CAP);
  const h = load<u32>(c, C_HEAD);
  const tl = load<u32>(c, C_TAIL);
  let count: u32;
  if (shared) {
    const span = cap << 1;
    if (cap == 0 ? h != 0 || tl != 0 : h >= span || tl >= span) return -2;
    count = tl >= h ? tl - h : tl + span - h;
  } else {
    count = load<u32>(c, C_COUNT);
    if (cap == 0 ? h != 0 || tl != 0 : h >= cap || tl >= cap || (h + count) % cap != tl) return -2;
  }
  if (count > cap) return -3;
  const recvers = walk(c, C_RECVQ_HEAD);
  if (recvers < 0) return recvers;
  const senders = walk(c, C_SENDQ_HEAD);
  if (senders < 0) return senders;
  if (count > 0 && recvers > 0) return -4;
  if (count < cap && senders > 0) return -5;
  const closed = (load<u32>(c, C_FLAGS) & F_CLOSED) != 0;
  if (closed && senders > 0) return -6;
  if (closed && count == 0 && recvers > 0) return -7;
  return 0;
}
