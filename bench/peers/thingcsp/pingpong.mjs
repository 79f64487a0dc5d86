// pingpong in @thi.ng/csp: A and B are async functions (the library's processes, as in its
// README's ping-pong), two channels made with `channel()`. A writes i to c1 and reads the reply
// from c2; B reads from c1 and writes it to c2. The iteration awaits A's sum.
//
// Unbuffered: @thi.ng/csp has no channel of capacity 0 (its FIFO buffer needs at least 1), but
// a write's promise resolves only once a reader has taken the value, whatever the buffer holds;
// so `await c.write(v)` on `channel()` (capacity 1, the default) is a rendezvous for the writer,
// as Go's unbuffered send is.
import { channel } from "@thi.ng/csp";

export function make({ batch: N }) {
  async function a(c1, c2) {
    let sum = 0;
    for (let i = 0; i < N; i++) {
      await c1.write(i);
      sum += await c2.read();
    }
    return sum;
  }
  async function b(c1, c2) {
    for (let i = 0; i < N; i++) await c2.write(await c1.read());
  }
  return function pingpong() {
    const c1 = channel(), c2 = channel();
    b(c1, c2);
    return a(c1, c2);
  };
}
