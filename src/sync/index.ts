// The sync part of baton: Go's sync package (WaitGroup, Mutex, RWMutex, Once, Cond) and
// x/sync's weighted semaphore and errgroup. src/index.ts re-exports this module.

export { WaitGroup } from "./waitgroup.js";
export { Mutex } from "./mutex.js";
export { RWMutex } from "./rwmutex.js";
export { Once } from "./once.js";
export { Cond } from "./cond.js";
export { Semaphore } from "./semaphore.js";
export { Group } from "./group.js";
export type { Locker } from "./waitq.js";
