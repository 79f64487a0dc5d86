// Baseline for mutex_uncontended and mutex_contended4: async-mutex (npm, 0.5.x), the most used
// promise mutex, as its README shows it: `const release = await mutex.acquire(); ... release();`.
//
// The scenarios are written once against `new Mutex()`, `const key = await mu.lock()`,
// `mu.unlock(key)` (baton's unlock ignores the key). Here lock() is acquire() itself, returning
// async-mutex's own promise, and the key is its release function: one method call of
// indirection each way, which V8 inlines; no promise is added.
//
// go(fn, ...args) is a bare async-function call, as in promise-chan.mjs.
import { Mutex as AsyncMutex } from "async-mutex";

export class Mutex {
  constructor() {
    this.m = new AsyncMutex();
  }
  lock() {
    return this.m.acquire();
  }
  unlock(release) {
    release();
  }
}

export function go(fn, ...args) {
  fn(...args);
}

export const name = "async-mutex";
