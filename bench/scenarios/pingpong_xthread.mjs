// pingpong_xthread: across threads, worker A sends a number to worker B, B sends it back;
// per round trip. Worker <-> worker for every library (rather than main <-> worker): both
// sides are workers, so neither is the bench's main thread, and the same for all.
// baton: two unbuffered shared channels (as the in-thread `pingpong`), `for await` echo in B.
// Peers: postMessage (a MessagePort between the two workers) and raw Atomics.waitAsync on an
// Int32Array over a SharedArrayBuffer (each side waits async, the other stores + notifies).
// The sides: bench/xthread/pingpong_xthread.<library>.mjs.
// FACTS.md: postMessage ~9-11 µs per round trip; Atomics.wait ~4.3 µs, waitAsync ~6-8 µs.
// Target: <= 0.5x postMessage's time per round trip.
import { startSide, XTHREAD_OPTIONS } from "../lib/xthread.mjs";

export const name = "pingpong_xthread";
export const unit = "ns/op";
export const per = "round trip";
export const batch = 10_000;
export const peers = ["postmessage", "waitasync"];
export const targets = { postmessage: { ratio: 0.5 } };
export const options = XTHREAD_OPTIONS;

export function make(lib) {
  return startSide(name, lib, { N: batch });
}
