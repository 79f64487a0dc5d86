// sieve2000 in @thi.ng/csp: Go's concurrent prime sieve with async functions over `channel()`s
// (rendezvous, see pingpong.mjs), shut down as the scenario's (the generator stops and closes,
// each filter closes its output when its input is closed, main drains the last channel).
import { channel } from "@thi.ng/csp";

export function make({ primes }) {
  let stop = false;
  async function generate(out) {
    for (let i = 2; !stop; i++) await out.write(i);
    out.close();
  }
  async function filter(inp, out, prime) {
    for (let v; (v = await inp.read()) !== undefined; ) {
      if (v % prime !== 0) await out.write(v);
    }
    out.close();
  }
  return async function sieve() {
    stop = false;
    let ch = channel();
    generate(ch);
    let prime = 0;
    for (let i = 0; i < primes; i++) {
      prime = await ch.read();
      const ch1 = channel();
      filter(ch, ch1, prime);
      ch = ch1;
    }
    stop = true;
    while ((await ch.read()) !== undefined);
    return prime;
  };
}
