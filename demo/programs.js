// The demo's programs, Go's classics written with baton. Each takes the view (main.js), to which
// it names its channels (view.watch) so that their buffers are drawn, and returns its result.
// They are paced (sleep) so that a person can watch them; without the sleeps they take a few ms.
import { chan, go, sleep, WaitGroup, withCancel, withTimeout, background, Canceled, workers } from "batonjs";
import tasks from "./tasks.js?worker&url";

/** Ends a goroutine quietly when its context is cancelled. */
function quietOnCancel(e) {
  if (e !== Canceled) throw e;
}

// ── The prime sieve (Go's doc/play/sieve.go): a chain of filter goroutines, one per prime. ──────

async function generate(ctx, out, wg) {
  try {
    for (let i = 2; ; i++) {
      await sleep(6);
      await out.send(i, { signal: ctx.signal });
    }
  } catch (e) {
    quietOnCancel(e);
  } finally {
    wg.done();
  }
}

async function filter(ctx, input, out, prime, wg) {
  try {
    for (;;) {
      const i = await input.recv({ signal: ctx.signal });
      if (i % prime !== 0) await out.send(i, { signal: ctx.signal });
    }
  } catch (e) {
    quietOnCancel(e);
  } finally {
    wg.done();
  }
}

/** The first n primes. Go's sieve leaves its goroutines running; here a context ends them. */
export async function sieve(view, n = 25) {
  const [ctx, cancel] = withCancel(background());
  const wg = new WaitGroup();
  let ch = view.watch("numbers", chan());
  wg.add(1);
  go(generate, ctx, ch, wg);
  const primes = [];
  for (let k = 0; k < n; k++) {
    const prime = await ch.recv();
    primes.push(prime);
    const next = view.watch(`after ${prime}`, chan());
    wg.add(1);
    go(filter, ctx, ch, next, prime, wg);
    ch = next;
  }
  cancel();
  await wg.wait();
  return primes.join(" ");
}

// ── Fan-out: 30 requests over 6 fetching goroutines, results fanned back in. ────────────────────

async function fetcher(ctx, jobs, results, wg) {
  try {
    for await (const id of jobs) {
      const res = await fetch(`/api/item?id=${id}`, { signal: ctx.signal });
      await results.send(await res.json());
    }
  } finally {
    wg.done();
  }
}

export async function fanOut(view, requests = 30, width = 6) {
  const [ctx, cancel] = withTimeout(background(), 20_000);
  const jobs = view.watch("jobs", chan(8));
  const results = view.watch("results", chan(4));
  const wg = new WaitGroup();
  for (let i = 0; i < width; i++) {
    wg.add(1);
    go(fetcher, ctx, jobs, results, wg);
  }
  go(async function feed() {
    for (let id = 0; id < requests; id++) await jobs.send(id);
    jobs.close();
  });
  go(async function closeResults() {
    await wg.wait();
    results.close();
  });
  let total = 0, count = 0;
  for await (const r of results) {
    total += r.ms;
    count++;
  }
  cancel();
  return `${count} responses, mean latency ${Math.round(total / count)} ms`;
}

// ── A pipeline: produce → square (two goroutines) → sum, each stage at its own pace. ───────────

export async function pipeline(view, n = 40) {
  const numbers = view.watch("numbers", chan(6));
  const squares = view.watch("squares", chan(6));
  go(async function produce() {
    for (let i = 1; i <= n; i++) {
      await numbers.send(i);
      await sleep(4);
    }
    numbers.close();
  });
  const wg = new WaitGroup();
  for (let k = 0; k < 2; k++) {
    wg.add(1);
    go(async function square() {
      for await (const x of numbers) {
        await sleep(30);
        await squares.send(x * x);
      }
      wg.done();
    });
  }
  go(async function closeSquares() {
    await wg.wait();
    squares.close();
  });
  let sum = 0;
  for await (const s of squares) {
    await sleep(14);
    sum += s;
  }
  return `sum of squares 1..${n} = ${sum}`;
}

// ── A worker pool: goroutines on two module Web Workers over shared channels. ────────────────────

export async function pool(view, jobsCount = 24) {
  const p = view.watchPool(await workers({ size: 2 }));
  await p.startTrace(); // the workers' own goroutines, for the timeline beside this thread's
  const jobs = view.watch("jobs (shared)", chan(8, { shared: true }));
  const results = view.watch("results (shared)", chan(8, { shared: true }));
  for (let k = 0; k < 4; k++) p.go(tasks, "countPrimes", jobs, results);
  go(async function feed() {
    for (let i = 0; i < jobsCount; i++) {
      await jobs.send(50_000 + i * 10_000);
      await sleep(25);
    }
    jobs.close();
  });
  let primes = 0;
  for (let i = 0; i < jobsCount; i++) primes += (await results.recv()).count;
  view.poolTrace = await p.stopTrace();
  await p.close();
  return `${jobsCount} counts from 2 workers, ${primes} primes in all`;
}

export const programs = [
  { key: "sieve", title: "Prime sieve", run: sieve, check: (r) => r.startsWith("2 3 5 7 11") && r.endsWith("97") },
  { key: "fanout", title: "Fan-out of requests", run: fanOut, check: (r) => r.startsWith("30 responses") },
  { key: "pipeline", title: "Pipeline", run: pipeline, check: (r) => r.endsWith("= 22140") },
  { key: "pool", title: "Worker pool", run: pool, check: (r) => r.startsWith("24 counts") },
];
