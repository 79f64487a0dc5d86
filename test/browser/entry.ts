// Runs in a real browser (test/browser/run.mjs): baton loaded from a vite bundle, exercised on
// the page's main thread. The results go into <pre id="result"> as JSON for the runner to read.
import {
  chan, go, recv, select, send, trySelect, gosched, after, sleep, newTicker, withTimeout, background,
  DeadlineExceeded, Mutex, WaitGroup, goroutines, numGoroutine, PanicError,
} from "../../src/index.js";
import { sharedMemory } from "../../src/core.js";

async function run(): Promise<Record<string, unknown>> {
  const r: Record<string, unknown> = {
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    sharedMemory,
  };

  // Ping-pong over unbuffered channels.
  const ping = chan<number>(), pong = chan<number>();
  go(async () => {
    for (;;) {
      const [v, ok] = await ping.recvOk();
      if (!ok) break;
      await pong.send(v! + 1);
    }
  });
  let v = 0;
  for (let i = 0; i < 1000; i++) {
    await ping.send(v);
    v = (await pong.recv())!;
  }
  ping.close();
  r.pingpong = v;

  // select: default, a ready case, a nil channel, a timeout with after().
  const a = chan<string>(1), b = chan<string>(1);
  const ca = recv(a), cb = recv(b);
  r.selectDefault = trySelect([ca, cb]);
  await b.send("b");
  r.selectReady = [await select([ca, cb, send(null, "x")]), cb.value];
  r.selectTimeout = await select([recv(chan<number>()), recv(after(20))]);

  // Goroutines, gosched (a MessageChannel hop here: there is no setImmediate), WaitGroup, Mutex.
  const wg = new WaitGroup(), mu = new Mutex();
  let counter = 0;
  for (let i = 0; i < 8; i++) {
    wg.go(async () => {
      for (let k = 0; k < 100; k++) {
        await mu.lock();
        const c = counter;
        await gosched();
        counter = c + 1;
        mu.unlock();
      }
    });
  }
  await wg.wait();
  r.mutexCounter = counter;

  // time and context.
  const t0 = performance.now();
  await sleep(30);
  r.sleptAtLeast30 = performance.now() - t0 >= 29;
  const ticker = newTicker(5);
  const tick1 = await ticker.c.recv();
  const tick2 = await ticker.c.recv();
  ticker.stop();
  r.ticksInOrder = typeof tick1 === "number" && typeof tick2 === "number" && tick2 >= tick1;
  const [ctx, cancel] = withTimeout(background(), 10);
  await ctx.done().recv();
  r.deadline = ctx.err() === DeadlineExceeded && ctx.signal.aborted && ctx.signal.reason === DeadlineExceeded;
  cancel();

  // Errors and diagnostics.
  const closed = chan<number>();
  closed.close();
  try {
    closed.trySend(1);
    r.panic = "no panic";
  } catch (e) {
    r.panic = e instanceof PanicError ? e.message : String(e);
  }
  const parked = chan<number>();
  go(async () => {
    await parked.recv();
  });
  await gosched();
  r.dump = goroutines().map((g) => g.state);
  parked.close();
  await gosched();
  r.numGoroutine = numGoroutine();
  return r;
}

const out = document.getElementById("result")!;
run().then(
  (r) => {
    out.textContent = JSON.stringify(r);
  },
  (e: unknown) => {
    out.textContent = JSON.stringify({ error: String(e), stack: (e as Error)?.stack });
  },
);
