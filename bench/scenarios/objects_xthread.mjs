// objects_xthread: as spsc_xthread, but every value is a small object
// { id: i, name: "job-" + i, tags: ["a", "b"], at: i * 0.5 }; per value (throughput:
// values/s = 1e9 / the figure). The consumer checks every field of every object, in order.
// baton: a shared channel of capacity 1024 (values are copied, structured-clone semantics).
// Peer: postMessage (a MessagePort between the two workers, one object per message).
// The sides: bench/xthread/objects_xthread.<library>.mjs (the object: bench/xthread/objects.mjs).
// Target: >= 2x postMessage's throughput.
import { startSide, XTHREAD_OPTIONS } from "../lib/xthread.mjs";

export const name = "objects_xthread";
export const unit = "ns/op";
export const per = "value";
export const throughput = true;
export const batch = 50_000;
export const capacity = 1024;
export const peers = ["postmessage"];
export const targets = { postmessage: { ratio: 0.5 } };
export const options = XTHREAD_OPTIONS;

export function make(lib) {
  return startSide(name, lib, { N: batch, capacity });
}
