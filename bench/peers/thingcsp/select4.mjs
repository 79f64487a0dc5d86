// select4 in @thi.ng/csp: four producers, each writing to its own `channel()` (a rendezvous, see
// pingpong.mjs); the consumer reads with `select(c0, c1, c2, c3)`, which resolves to
// `[value, channel]` for the first channel to become readable. It only reads (there is no
// select over writes), which is all this scenario needs. When several are readable at once it
// takes the first in argument order, not a random one as Go does; every value is still read, and
// the consumer checks that each channel gave its share.
import { channel, select } from "@thi.ng/csp";

export function make({ batch: N }) {
  const K = 4, each = N / K;
  async function producer(c, base) {
    for (let i = 0; i < each; i++) await c.write(base + i);
  }
  async function consumer(cs) {
    let sum = 0;
    const seen = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      const [v, c] = await select(cs[0], cs[1], cs[2], cs[3]);
      sum += v;
      seen[cs.indexOf(c)]++;
    }
    for (let k = 0; k < K; k++) if (seen[k] !== each) throw new Error(`select4 (@thi.ng/csp): channel ${k} gave ${seen[k]} values, want ${each}`);
    return sum;
  }
  return function select4() {
    const cs = [channel(), channel(), channel(), channel()];
    for (let k = 0; k < K; k++) producer(cs[k], k * each);
    return consumer(cs);
  };
}
