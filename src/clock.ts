// A cheap clock for waiting times.
//
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

/** A clock reading for waiting times: performance.now() in whole milliseconds, read at most
 *  every 64 calls within a turn of the event loop. */
export function stamp(): number {
  if (clockStale || --clockBudget < 0) {
    // Whole milliseconds: a small integer, which V8 keeps unboxed in a goroutine's `since`
    // (a fractional one costs every goroutine a 12-byte heap number).
    clock = Math.floor(performance.now());
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
