// spsc_unbuffered in @thi.ng/csp: `channel()` and `await c.write(i)`, a rendezvous for the writer
// (see pingpong.mjs); the iteration awaits the consumer's sum.
import { channel } from "@thi.ng/csp";

export function make({ batch: N }) {
  async function producer(c) {
    for (let i = 0; i < N; i++) await c.write(i);
  }
  async function consumer(c) {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await c.read();
    return sum;
  }
  return function spsc() {
    const c = channel();
    producer(c);
    return consumer(c);
  };
}
