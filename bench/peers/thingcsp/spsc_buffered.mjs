// spsc_buffered in @thi.ng/csp: `channel(1024)`, a producer and a consumer async function; the
// iteration awaits the consumer's sum.
//
// A write's promise resolves only once its value has been read, even when the buffer had room
// (the package's docs say it resolves at once then; 3.2.44's code does not), so a producer that
// awaited every write would never have two values in the buffer. The producer uses `offer(v)`,
// the non-blocking write that succeeds while the buffer has room, and `await write(v)` when it is
// full; that write resolves once v itself is read, so after a full buffer the producer resumes
// when the consumer has drained it (Go's resumes at the first free slot).
import { channel } from "@thi.ng/csp";

export function make({ batch: N, capacity }) {
  async function producer(c) {
    for (let i = 0; i < N; i++) if (!c.offer(i)) await c.write(i);
  }
  async function consumer(c) {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await c.read();
    return sum;
  }
  return function spsc() {
    const c = channel(capacity);
    producer(c);
    return consumer(c);
  };
}
