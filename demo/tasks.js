// The worker pool program's task module: pool workers import it (main.js passes the URL of its
// worker bundle, `./tasks.js?worker&url`), and it imports batonjs itself.
import { registerTasks } from "batonjs";

/** Counts the primes below n, the slow way (work for a worker's CPU). */
function primesBelow(n) {
  let count = 0;
  for (let i = 2; i < n; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** A pool goroutine: takes limits from jobs until it is closed, sends back each count. */
export async function countPrimes(jobs, results) {
  for await (const n of jobs) await results.send({ n, count: primesBelow(n), worker: self.name || "" });
}

registerTasks({ countPrimes });
