// pipeline3 in @thi.ng/csp: gen -> sq -> sink, async functions over `channel()`s (rendezvous,
// see pingpong.mjs); each stage closes its output once its input is done. A read from a closed,
// drained channel resolves to `undefined` (which is why a value of undefined cannot be sent).
import { channel } from "@thi.ng/csp";

export function make({ batch: N }) {
  async function gen(out) {
    for (let i = 0; i < N; i++) await out.write(i);
    out.close();
  }
  async function sq(inp, out) {
    for (let v; (v = await inp.read()) !== undefined; ) await out.write(v * 2);
    out.close();
  }
  async function sink(inp) {
    let sum = 0;
    for (let v; (v = await inp.read()) !== undefined; ) sum += v;
    return sum;
  }
  return function pipeline3() {
    const c1 = channel(), c2 = channel();
    gen(c1);
    sq(c1, c2);
    return sink(c2);
  };
}
