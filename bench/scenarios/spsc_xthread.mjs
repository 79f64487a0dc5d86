// spsc_xthread: across threads, one producer worker sends N numbers to one consumer worker;
// per value (throughput: values/s = 1e9 / the figure).
// baton: a shared channel of capacity 1024 (`chan(1024, { shared: true })`, `handle()`,
// `attach`), one send / one recv per value.
// Peers: postMessage (a MessagePort between the two workers, one number per message) and
// ringbuf.js (its SPSC ring over a SharedArrayBuffer, capacity 1024, one value per push/pop
// call, both sides busy-polling). The sides: bench/xthread/spsc_xthread.<library>.mjs.
// FACTS.md: postMessage ~1.0-1.25 M messages/s; ringbuf.js 1 value per call ~4-5 M/s.
// Targets: >= 4x postMessage's throughput, >= 1x ringbuf.js's.
import { startSide, XTHREAD_OPTIONS } from "../lib/xthread.mjs";

export const name = "spsc_xthread";
export const unit = "ns/op";
export const per = "value";
export const throughput = true;
export const batch = 100_000;
export const capacity = 1024;
export const peers = ["postmessage", "ringbuf"];
export const targets = { postmessage: { ratio: 0.25 }, ringbuf: { ratio: 1.0 } };
export const options = XTHREAD_OPTIONS;

export function make(lib) {
  return startSide(name, lib, { N: batch, capacity });
}
