// pingpong_xthread, raw Atomics.waitAsync: two workers share an Int32Array over a
// SharedArrayBuffer. A stores i in PING, sets TURN to B_TURN and notifies; B, waiting
// asynchronously on TURN, wakes, copies PING to PONG, sets TURN to A_TURN and notifies; A,
// waiting asynchronously on TURN, wakes and reads PONG: one round trip. Each side waits with
// `Atomics.waitAsync` (its event loop stays free), the other stores + `Atomics.notify`s. B
// copies into a separate cell so that a B that never ran cannot pass the checksum.
import { startThreads, terminateAll, verify, isWorker, serve, workerData } from "../lib/xthread.mjs";

const ROLE = "pingpong_xthread.waitasync";
// Int32 cells of the shared block.
const TURN = 0; // whose move: A_TURN or B_TURN
const PING = 1; // A's value
const PONG = 2; // B's copy of it
const A_TURN = 0, B_TURN = 1;

export async function start(lib, { N }) {
  const sab = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  const url = new URL("./pingpong_xthread.waitasync.mjs", import.meta.url);
  const threads = await startThreads([
    { url, role: `${ROLE}.a`, data: { sab } },
    { url, role: `${ROLE}.b`, data: { sab } },
  ]);
  const want = { count: N, sum: (N * (N - 1)) / 2 };
  return {
    async run() {
      verify("pingpong_xthread/waitasync", await threads[0].call("ping", N), want);
    },
    close: () => terminateAll(threads),
  };
}

// Resolves once s[TURN] === want, waiting asynchronously while it is anything else.
async function waitTurn(s, want) {
  for (;;) {
    const cur = Atomics.load(s, TURN);
    if (cur === want) return;
    const r = Atomics.waitAsync(s, TURN, cur);
    if (r.async) await r.value;
  }
}

if (isWorker(ROLE)) {
  const s = new Int32Array(workerData.sab);
  if (workerData.benchRole.endsWith(".b")) {
    (async () => {
      for (;;) {
        await waitTurn(s, B_TURN);
        Atomics.store(s, PONG, Atomics.load(s, PING));
        Atomics.store(s, TURN, A_TURN);
        Atomics.notify(s, TURN);
      }
    })();
    serve({});
  } else {
    serve({
      async ping(n) {
        let count = 0, sum = 0;
        for (let i = 0; i < n; i++) {
          Atomics.store(s, PING, i);
          Atomics.store(s, TURN, B_TURN);
          Atomics.notify(s, TURN);
          await waitTurn(s, A_TURN);
          sum += Atomics.load(s, PONG);
          count++;
        }
        return { count, sum };
      },
    });
  }
}
