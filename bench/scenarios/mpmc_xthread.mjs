// mpmc_xthread: across threads, 2 producer workers and 2 consumer workers share one queue;
// N values in all, per value (throughput: values/s = 1e9 / the figure). Checked: the count
// and the sum of everything the consumers received.
// baton: one shared channel of capacity 1024 per batch; consumers `for await` it; the main
// thread closes it once both producers are done.
// Peers: postMessage two ways: direct (a MessagePort from every producer to every consumer,
// each producer alternating; the fastest, but a fixed split, not a queue) and through a broker
// (the main thread forwards every value round-robin: a queue in the middle, two hops).
// The sides: bench/xthread/mpmc_xthread.<library>.mjs. No target: ratios reported.
import { startSide, XTHREAD_OPTIONS } from "../lib/xthread.mjs";

export const name = "mpmc_xthread";
export const unit = "ns/op";
export const per = "value";
export const throughput = true;
export const batch = 100_000;
export const capacity = 1024;
export const peers = ["postmessage", "postmessage-broker"];
export const peerLabels = { postmessage: "postMessage, direct" };
export const options = XTHREAD_OPTIONS;

export function make(lib) {
  return startSide(name, lib, { N: batch, capacity });
}
