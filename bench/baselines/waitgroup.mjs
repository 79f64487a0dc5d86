// Baseline for waitgroup_1e5: the minimal WaitGroup anyone would write, a counter and one
// promise, with goroutines that are bare async-function calls (as in promise-chan.mjs).
//
//   add(n)   counter += n; at zero, resolves the pending wait (if any).
//   done()   add(-1).
//   wait()   a shared resolved promise at zero, else one promise per waiting phase, made on the
//            first wait() and shared by every waiter of that phase.
//
// Not Promise.all over the goroutines' promises: that attaches a reaction to every one of them
// (and needs them collected in an array), which a WaitGroup does not; the counter is the
// cheapest correct join, so the ratio is an upper bound on baton's cost over plain JS.

const RESOLVED = Promise.resolve();

export class WaitGroup {
  constructor() {
    this.n = 0;
    this.p = null;
    this.res = null;
  }
  add(n) {
    const c = this.n + n;
    if (c < 0) throw new Error("sync: negative WaitGroup counter");
    this.n = c;
    if (c === 0 && this.res !== null) {
      const res = this.res;
      this.p = this.res = null;
      res();
    }
  }
  done() {
    this.add(-1);
  }
  wait() {
    if (this.n === 0) return RESOLVED;
    return (this.p ??= new Promise((res) => (this.res = res)));
  }
}

export function go(fn, ...args) {
  fn(...args);
}

export const name = "counter+promise";
