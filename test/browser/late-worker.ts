// A second module Web Worker of the browser test (entry.ts starts it): its first baton call
// creates a channel, which fixes this worker's memory to a new one of its own, so attaching the
// page's handle afterwards must throw a TypeError that says the handle is of another memory
// (API.md, "One memory per thread"). It reports what attach did by postMessage.

import { attach, chan, type ChanHandle } from "../../src/index.js";

self.onmessage = (e: MessageEvent<ChanHandle<unknown>>) => {
  const own = chan<number>(1, { shared: true }); // the first baton call: a memory of its own
  own.trySend(1);
  try {
    attach(e.data);
    self.postMessage({ attached: true });
  } catch (err) {
    self.postMessage({ name: (err as Error).name, isTypeError: err instanceof TypeError, message: (err as Error).message });
  }
  self.close();
};
