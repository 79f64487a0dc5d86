// Baseline for timers_1e5: Node's own timers, `setTimeout(fn, ms)` and `clearTimeout(handle)`,
// called directly. The handle is Node's Timeout object. stopTimer returns true (clearTimeout
// returns nothing; a Timeout cannot fire while the batch runs, 60 s being far beyond it).

function noop() {}

export function newTimer(ms) {
  return setTimeout(noop, ms);
}

export function stopTimer(h) {
  clearTimeout(h);
  return true;
}

export const name = "setTimeout";
