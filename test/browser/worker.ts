// The module Web Worker of the browser test (test/browser/run.mjs): the page (entry.ts) starts it
// with new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }), which vite bundles
// as its own file with its own copy of baton, and posts it the handles of its shared channels.
// attach() is this worker's first baton call, so the worker adopts the page's memory.
//
// The worker follows the page step by step; each step is synchronised by the channels themselves
// (the page drives, the worker answers on `back`). It reports failure by posting { error }.

import { attach, sharedMemory, sleep, numGoroutine, WaitGroup } from "../../src/index.js";
import { type Handles, BULK, bulkValue, fold, describe, workerValues } from "./common.js";

async function expectCommand(got: Promise<unknown>, want: string): Promise<void> {
  const v = await got;
  if (v !== want) throw new Error(`worker: expected the command ${JSON.stringify(want)}, got ${describe(v)}`);
}

async function main(h: Handles): Promise<void> {
  // The worker's first baton calls: they fix its memory to the page's.
  const ctl = attach(h.ctl);
  const back = attach(h.back);
  const bulkIn = attach(h.bulkIn);
  const bulkOut = attach(h.bulkOut);
  const ping = attach(h.ping);
  const pong = attach(h.pong);
  const feed = attach(h.feed);
  const closing = attach(h.closing);
  await back.send({ sharedMemory, crossOriginIsolated: (self as { crossOriginIsolated?: boolean }).crossOriginIsolated === true });

  // 1. Values: echo each of the page's values with how it arrived here, then send our own.
  const n = (await ctl.recv()) as number;
  for (let i = 0; i < n; i++) {
    const v = await ctl.recv();
    await back.send([describe(v), v]);
  }
  for (const v of workerValues()) await back.send(v);

  // 2. BULK values each way through the buffered channels, both directions at once.
  const wg = new WaitGroup();
  let checksum = 0, mismatches = 0, count = 0;
  wg.go(async () => {
    for (let i = 0; i < BULK; i++) await bulkIn.send(bulkValue(i));
  });
  wg.go(async () => {
    for (let i = 0; i < BULK; i++) {
      const v = await bulkOut.recv();
      if (v !== bulkValue(i)) mismatches++;
      checksum = fold(checksum, v!);
      count++;
    }
  });
  await wg.wait();
  await back.send({ count, checksum, mismatches });

  // 3. Unbuffered ping-pong until the page closes ping.
  let trips = 0;
  for (;;) {
    const [v, ok] = await ping.recvOk();
    if (!ok) break;
    await pong.send(v! + 1);
    trips++;
  }
  await back.send(trips);

  // 4. select on the page: feed it once the page's timer has ticked (the page sends "tick" from a
  // setTimeout callback while its select waits), then echo what its select sent.
  await expectCommand(ctl.recv(), "feed");
  await expectCommand(ctl.recv(), "tick");
  await feed.send("fed by the worker");
  await back.send(await ctl.recv());

  // 5. Close from here while the page waits to receive.
  await expectCommand(ctl.recv(), "close");
  await closing.send(99);
  await sleep(30);
  closing.close();
  await back.send("closed");

  await expectCommand(ctl.recv(), "bye");
}

self.onmessage = (e: MessageEvent<Handles>) => {
  main(e.data).then(
    () => {
      self.postMessage({ done: true, numGoroutine: numGoroutine() });
      self.close();
    },
    (err: unknown) => {
      self.postMessage({ error: String(err), stack: (err as Error)?.stack });
    },
  );
};
