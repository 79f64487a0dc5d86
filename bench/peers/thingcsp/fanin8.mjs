// fanin8 in @thi.ng/csp: eight producers write to one `channel()` (a rendezvous, see
// pingpong.mjs; the writes that find its buffer taken wait in its queue), one consumer reads
// all their values; the iteration awaits its sum.
import { channel } from "@thi.ng/csp";

export function make({ batch: N }) {
  const P = 8, each = N / P;
  async function producer(c, base) {
    for (let i = 0; i < each; i++) await c.write(base + i);
  }
  async function consumer(c) {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await c.read();
    return sum;
  }
  return function fanin8() {
    const c = channel();
    for (let p = 0; p < P; p++) producer(c, p * each);
    return consumer(c);
  };
}
