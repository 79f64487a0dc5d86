// Batches across threads: sendMany and recvMany on a shared channel between worker threads and
// the main thread, checked by checksums (nothing lost, nothing duplicated, each producer's order
// kept), with the batches of several producers interleaving.

import { describe, expect, it } from "vitest";
import { chan } from "../../dist/index.js";
import { runRole } from "../helpers/threads.js";

const SEQ = 1 << 20;

function expected(producers: number, n: number): { count: number; sum: number; xor: number } {
  let count = 0, sum = 0, xor = 0;
  for (let id = 0; id < producers; id++) {
    for (let i = 0; i < n; i++) {
      const v = id * SEQ + i;
      count++;
      sum += v;
      xor ^= v;
    }
  }
  return { count, sum, xor };
}

describe("batches on shared channels across threads", () => {
  it.each([0, 1, 64])("3 producers' sendMany into one recvMany consumer, capacity %d", async (cap) => {
    const ch = chan<number>(cap, { shared: true });
    const n = 20_000;
    const producers = [0, 1, 2].map((id) => runRole("produceMany", { out: ch.handle() }, { id, n, batch: 37, close: false }));
    const consumer = runRole<{ count: number; sum: number; xor: number; ordered: boolean; withinMax: boolean }>(
      "consumeMany", { in: ch.handle() }, { max: 50 },
    );
    await Promise.all(producers.map((p) => p.result));
    ch.close();
    const got = await consumer.result;
    expect({ count: got.count, sum: got.sum, xor: got.xor }).toEqual(expected(3, n));
    expect(got.ordered).toBe(true);
    expect(got.withinMax).toBe(true);
    await Promise.all([...producers, consumer].map((r) => r.exited));
  }, 60_000);

  it("main thread batches against a worker's: sendMany here, recvMany there, and back", async () => {
    const to = chan<number>(16, { shared: true });
    const back = chan<number>(16, { shared: true });
    const echo = runRole<number>("echo", { in: to.handle(), out: back.handle() });
    const n = 5_000;
    const sending = (async () => {
      const vals = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < n; i += 100) await to.sendMany(vals.slice(i, i + 100));
      to.close();
    })();
    const got: number[] = [];
    for (;;) {
      const vs = await back.recvMany(64);
      if (vs.length === 0) break;
      got.push(...vs);
    }
    await sending;
    expect(await echo.result).toBe(n);
    expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
  }, 60_000);
});
