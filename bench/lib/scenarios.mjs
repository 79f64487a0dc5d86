// The scenarios, in the order they run and print. The names are fixed: results.json and any
// comparison across runs key on them.
export const SCENARIOS = [
  "pingpong",
  "spsc_buffered",
  "spsc_unbuffered",
  "spsc_batch",
  "select4",
  "fanin8",
  "pipeline3",
  "spawn_join",
  "parked_goroutine_bytes",
  "sieve2000",
  "mutex_uncontended",
  "mutex_contended4",
  "waitgroup_1e5",
  "timers_1e5",
  "context_cancel_1e4",
  // across node:worker_threads, each against its own peers (bench/xthread/)
  "spsc_xthread",
  "pingpong_xthread",
  "mpmc_xthread",
  "objects_xthread",
  "pool_tasks",
  // across processes, through a NATS server (batonjs/nats), against the raw client
  "nats_throughput",
];

export function loadScenario(name) {
  if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${JSON.stringify(name)}`);
  return import(`../scenarios/${name}.mjs`);
}
