// A bounded parallel loop: many tasks, at most K running at once. First with a WaitGroup and a
// Semaphore (Go's x/sync/semaphore pattern: acquire before starting, release when done), then
// with an errgroup Group and setLimit (x/sync/errgroup: `go` waits while the limit is reached).
// Each task records how many tasks run alongside it, so the maximum shows the limit holding.
import { WaitGroup, Semaphore, Group, sleep } from "batonjs";

/** Counts tasks in flight and remembers the most seen at once. */
function tracker() {
  let running = 0;
  const t = {
    max: 0,
    /** A task: takes a few milliseconds (different per task), returns its input squared. */
    async task(i) {
      running++;
      t.max = Math.max(t.max, running);
      try {
        await sleep(5 + ((i * 7) % 11));
        return i * i;
      } finally {
        running--;
      }
    },
  };
  return t;
}

async function withSemaphore(n, limit) {
  console.log(`── WaitGroup + Semaphore(${limit}): ${n} tasks, at most ${limit} at once`);
  const t = tracker();
  const sem = new Semaphore(limit);
  const wg = new WaitGroup();
  const results = new Array(n);
  for (let i = 0; i < n; i++) {
    await sem.acquire(); // waits while `limit` tasks hold the semaphore
    wg.go(async () => {
      try {
        results[i] = await t.task(i);
      } finally {
        sem.release();
      }
    });
  }
  await wg.wait();
  console.log(`   max concurrency: ${t.max} (limit ${limit})`);
  console.log(`   results: ${results.join(" ")}\n`);
}

async function withErrgroup(n, limit) {
  console.log(`── errgroup Group with setLimit(${limit}): ${n} tasks`);
  const t = tracker();
  const g = new Group();
  g.setLimit(limit);
  const results = new Array(n);
  for (let i = 0; i < n; i++) {
    await g.go(async () => {
      results[i] = await t.task(i);
    }); // resolves once the goroutine has started: waits while `limit` run
  }
  await g.wait(); // would reject with the first error a task threw
  console.log(`   max concurrency: ${t.max} (limit ${limit})`);
  console.log(`   results: ${results.join(" ")}\n`);
}

await withSemaphore(10, 3);
await withErrgroup(8, 2);
