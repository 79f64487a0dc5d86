// pool_tasks: tiny tasks on a pool of 2 worker threads, N in flight at once; per task
// (total time / N). A task adds two numbers and hands the result back.
// baton: `workers({ size: 2 })`, `pool.go(url, "add", a, b, results)`, the main thread
// receives the N results from `results`, a shared channel.
// Peer: piscina, 2 threads, `pool.run({ a, b }, { name: "add" })`, `Promise.all`.
// The sides: bench/xthread/pool_tasks.<library>.mjs, their tasks pool_tasks.<library>.task.mjs.
// FACTS.md: a task on a 2-thread piscina pool ~26-42 µs (one at a time).
// Target: <= 0.25x piscina's time per task.
import { startSide, XTHREAD_OPTIONS } from "../lib/xthread.mjs";

export const name = "pool_tasks";
export const unit = "ns/op";
export const per = "task";
export const batch = 10_000;
export const capacity = 1024;
export const peers = ["piscina"];
export const targets = { piscina: { ratio: 0.25 } };
export const options = XTHREAD_OPTIONS;

export function make(lib) {
  return startSide(name, lib, { N: batch, size: 2, capacity });
}
