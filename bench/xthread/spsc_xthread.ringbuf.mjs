// spsc_xthread, ringbuf.js (npm `ringbuf.js`): its wait-free SPSC ring over a
// SharedArrayBuffer, capacity 1024 Float64 values, one value per `push` / `pop` call (a
// 1-element Float64Array each side).
//
// Waiting: ringbuf.js has no blocking wait of its own (no Atomics.wait/notify inside); its own
// test worker and examples poll: drain what is there, then re-check on a timer (setTimeout(0)
// in tests/, setInterval(100) in the wav-writer example). A timer poll costs >= 1 ms per empty
// or full ring in Node, so here both sides busy-poll instead: the producer retries `push`
// while the ring is full, the consumer retries `pop` while it is empty. That is the fastest
// way to use it (the figure in shared/FACTS.md, "both sides spinning"), and it holds a core
// per side while waiting.
import { RingBuffer } from "ringbuf.js";
import { startThreads, isWorker, serve, workerData, producerConsumer } from "../lib/xthread.mjs";

const ROLE = "spsc_xthread.ringbuf";

export async function start(lib, { N, capacity }) {
  const sab = RingBuffer.getStorageForCapacity(capacity, Float64Array);
  const url = new URL("./spsc_xthread.ringbuf.mjs", import.meta.url);
  const threads = await startThreads([
    { url, role: `${ROLE}.producer`, data: { sab } },
    { url, role: `${ROLE}.consumer`, data: { sab } },
  ]);
  return producerConsumer(threads, "spsc_xthread/ringbuf", N, { count: N, sum: (N * (N - 1)) / 2, outOfOrder: 0 });
}

if (isWorker(ROLE)) {
  const rb = new RingBuffer(workerData.sab, Float64Array);
  const one = new Float64Array(1);
  serve({
    produce(n) {
      for (let i = 0; i < n; i++) {
        one[0] = i;
        while (rb.push(one) === 0); // full: spin
      }
      return n;
    },
    consume(n) {
      let count = 0, sum = 0, outOfOrder = 0;
      for (let i = 0; i < n; i++) {
        while (rb.pop(one) === 0); // empty: spin
        const v = one[0];
        if (v !== i) outOfOrder++;
        sum += v;
        count++;
      }
      return { count, sum, outOfOrder };
    },
  });
}
