// Runs in a real browser (test/browser/run.mjs): baton loaded from a vite bundle, exercised on
// the page's main thread, and — on a cross-origin isolated page — with a module Web Worker
// (worker.ts) over shared channels. On a plain page, shared channels must be refused with an error
// that names the COOP/COEP headers. The results are posted to the runner as JSON
// (POST /result) and shown in <pre id="result">.
import {
  chan, go, recv, select, send, trySelect, gosched, after, sleep, newTicker, withTimeout, background,
  DeadlineExceeded, Mutex, WaitGroup, goroutines, numGoroutine, PanicError, sharedMemory,
} from "../../src/index.js";
import {
  type Handles, BULK, ROUND_TRIPS, bulkValue, bulkChecksum, fold, describe, pageValues, workerValues, within,
} from "./common.js";

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

  if (sharedMemory) {
    const shared: Record<string, unknown> = {};
    r.shared = shared; // what was found before any failure stays
    try {
      await withWorker(shared);
    } catch (e) {
      r.sharedError = `${String(e)}\n${(e as Error)?.stack ?? ""}`;
    }
  } else {
    r.plain = plainPage();
  }
  return r;
}

/** The plain page: no shared memory, local channels work, shared channels are refused. */
function plainPage(): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  try {
    chan<number>(1, { shared: true });
    p.sharedChan = "no error";
  } catch (e) {
    p.sharedChan = { name: (e as Error).name, isTypeError: e instanceof TypeError, message: (e as Error).message };
  }
  const local = chan<number>(1);
  try {
    local.handle();
    p.handleOfLocal = "no error";
  } catch (e) {
    p.handleOfLocal = (e as Error).name;
  }
  local.trySend(5);
  p.localAfterRefusal = local.tryRecv() ?? "would block";
  return p;
}

/** The cross-origin isolated page: shared channels with a module Web Worker, both ways. Puts
 *  each result into `s` as soon as it is known. */
async function withWorker(s: Record<string, unknown>): Promise<void> {
  const ctl = chan<unknown>(16, { shared: true });
  const back = chan<unknown>(16, { shared: true });
  const bulkIn = chan<number>(64, { shared: true });
  const bulkOut = chan<number>(64, { shared: true });
  const ping = chan<number>(0, { shared: true });
  const pong = chan<number>(0, { shared: true });
  const feed = chan<string>(0, { shared: true });
  const closing = chan<number>(1, { shared: true });
  const handles: Handles = {
    ctl: ctl.handle(), back: back.handle(), bulkIn: bulkIn.handle(), bulkOut: bulkOut.handle(),
    ping: ping.handle(), pong: pong.handle(), feed: feed.handle(), closing: closing.handle(),
  };

  const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  let done: (m: { numGoroutine: number }) => void;
  const workerDone = new Promise<{ numGoroutine: number }>((resolve) => (done = resolve));
  // A worker that fails (or fails to load) ends the test at once, with its own message.
  const workerFailed = new Promise<never>((_, reject) => {
    worker.onerror = (e) => reject(new Error(`worker error: ${e.message || "failed to load"}`));
    worker.onmessageerror = () => reject(new Error("worker: a message could not be deserialised"));
    worker.onmessage = (e: MessageEvent) => {
      if (e.data?.error !== undefined) reject(new Error(`worker: ${e.data.error}\n${e.data.stack ?? ""}`));
      else if (e.data?.done === true) done(e.data);
    };
  });
  workerFailed.catch(() => {});
  let lastStep = "";
  const step = <T>(what: string, p: Promise<T>, ms = 15_000): Promise<T> => {
    if (what !== lastStep) console.log(`baton browser test: ${(lastStep = what)}`); // how far it got
    return within(what, ms, Promise.race([p, workerFailed]));
  };
  const recvBack = (what: string) => step(what, back.recv());
  worker.postMessage(handles);

  try {
    s.workerHello = await recvBack("the worker's hello");

    // 1. Values both ways: numbers, strings, objects (structured clone), undefined and null.
    const values = pageValues();
    const want = values.map((v) => describe(v));
    await step("sending values", ctl.send(values.length));
    for (const v of values) await step("sending values", ctl.send(v));
    const atWorker: string[] = [], echoed: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const [d, v] = (await recvBack("an echoed value")) as [string, unknown];
      atWorker.push(d);
      echoed.push(describe(v));
    }
    s.valuesAtWorker = { got: atWorker, want };
    s.valuesEchoed = { got: echoed, want };
    const fromWorker: string[] = [];
    for (let i = 0; i < workerValues().length; i++) fromWorker.push(describe(await recvBack("the worker's values")));
    s.valuesFromWorker = { got: fromWorker, want: workerValues().map((v) => describe(v)) };

    // 2. BULK values each way through buffered channels, at once, with a checksum and the order.
    const wg = new WaitGroup();
    let checksum = 0, mismatches = 0, count = 0;
    wg.go(async () => {
      for (let i = 0; i < BULK; i++) await bulkOut.send(bulkValue(i));
    });
    wg.go(async () => {
      for (let i = 0; i < BULK; i++) {
        const v = await bulkIn.recv();
        if (v !== bulkValue(i)) mismatches++;
        checksum = fold(checksum, v!);
        count++;
      }
    });
    await step("bulk transfer", wg.wait(), 60_000);
    const wantBulk = { count: BULK, checksum: bulkChecksum(), mismatches: 0 };
    s.bulkToPage = { got: { count, checksum, mismatches }, want: wantBulk };
    s.bulkToWorker = { got: await recvBack("the worker's bulk checksum"), want: wantBulk };

    // 3. Unbuffered ping-pong: the worker answers v with v + 1.
    let v = 0;
    for (let i = 0; i < ROUND_TRIPS; i++) {
      await step("ping-pong", ping.send(v));
      v = (await step("ping-pong", pong.recv()))!;
    }
    ping.close();
    s.pingpong = { last: v, workerTrips: await recvBack("the worker's round trips") };

    // 4. select over a shared channel the worker feeds, a local channel and after().
    const local = chan<string>(1);
    const fed = recv(feed), loc = recv(local);
    local.trySend("local");
    const a = await step("select, a local value ready", select([fed, loc, recv(after(10_000))]));
    s.selectLocalReady = [a, a === 1 ? loc.value : fed.value];
    const b = await step("select, timing out", select([fed, loc, recv(after(30))]));
    s.selectTimeout = b;
    // The worker feeds only once it has the "tick" that a timer sends while this select waits:
    // the select completes only if the page's event loop ran during the wait.
    await step("command feed", ctl.send("feed"));
    let timerRan = false, timerRanBeforeSelect = false, selectDone = false;
    const timer = setTimeout(() => {
      timerRan = true;
      timerRanBeforeSelect = !selectDone;
      ctl.trySend("tick");
    }, 20);
    const c = await step("select, fed by the worker", select([fed, loc, recv(after(10_000))]));
    selectDone = true;
    clearTimeout(timer);
    s.selectShared = [c, c === 0 ? fed.value : c === 1 ? loc.value : "after"];
    s.eventLoopRanDuringWait = timerRan && timerRanBeforeSelect;
    const d = await step("select, a shared send case", select([send(ctl, "via select"), recv(after(10_000))]));
    s.selectSend = [d, await recvBack("the worker's echo of the select's send")];

    // 5. The worker closes a channel while the page waits on it.
    await step("command close", ctl.send("close"));
    const first = await step("receiving before the close", closing.recvOk());
    const second = await step("receiving at the close", closing.recvOk());
    s.closeSeen = { first: first.map((x) => describe(x)), second: second.map((x) => describe(x)) };
    try {
      s.sendAfterClose = `no panic: trySend returned ${closing.trySend(1)}`;
    } catch (e) {
      s.sendAfterClose = e instanceof PanicError ? e.message : String(e);
    }
    s.workerClosed = await recvBack("the worker's closed");

    await step("command bye", ctl.send("bye"));
    const bye = await step("the worker's end", workerDone);
    s.workerNumGoroutine = bye.numGoroutine;

    // 6. A worker whose first baton call made a channel has a memory of its own: attaching the
    // page's handle there is refused.
    s.lateAttach = await step("a late attach", lateAttach(ctl.handle()));
    await gosched();
    s.pageNumGoroutine = numGoroutine();
  } finally {
    worker.terminate();
  }
}

/** What attach(handle) does in a worker that created a channel first. */
function lateAttach(handle: Handles["ctl"]): Promise<unknown> {
  const late = new Worker(new URL("./late-worker.ts", import.meta.url), { type: "module" });
  return new Promise<unknown>((resolve, reject) => {
    late.onmessage = (e: MessageEvent) => resolve(e.data);
    late.onerror = (e) => reject(new Error(`late worker error: ${e.message || "failed to load"}`));
    late.postMessage(handle);
  }).finally(() => late.terminate());
}

// The runner waits for the POST; the page shows the same JSON.
function report(json: string): void {
  document.getElementById("result")!.textContent = json;
  void fetch("/result", { method: "POST", body: json });
}
run().then(
  (r) => report(JSON.stringify(r)),
  (e: unknown) => report(JSON.stringify({ error: String(e), stack: (e as Error)?.stack })),
);
