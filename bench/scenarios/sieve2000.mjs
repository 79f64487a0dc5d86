// sieve2000: Go's classic concurrent prime sieve (go.dev/doc/play/sieve.go) for the first
// 2,000 primes: a generator goroutine, then one filter goroutine per prime found, chained by
// unbuffered channels. Per whole sieve. Go: 422 ms; the promise channel ~740 ms (FACTS.md).
//
// Unlike Go's program, which exits with its goroutines still blocked, this one shuts its
// chain down so that nothing stays parked between iterations: after the 2,000th prime the
// generator stops and closes its channel, each filter closes its output once its input is
// closed, and main drains the last channel until it is closed (a few values still in flight;
// the same few for every library). An iteration resolves to the last prime found: the 2,000th,
// 17389.
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "sieve2000";
export const unit = "ns/op";
export const per = "sieve";
export const batch = 1;
export const primes = 2000;
export const target = { ratio: 0.8 };
export const peers = CHANNEL_PEERS;
export const checksum = ({ primes: n }) => nthPrime(n);

// The n-th prime by trial division, to check a sieve of any size against.
function nthPrime(n) {
  let found = 0;
  for (let k = 2; ; k++) {
    let prime = true;
    for (let d = 2; prime && d * d <= k; d++) prime = k % d !== 0;
    if (prime && ++found === n) return k;
  }
}

export function make({ chan, go }) {
  let stop = false;
  async function generate(out) {
    for (let i = 2; !stop; i++) await out.send(i);
    out.close();
  }
  async function filter(inp, out, prime) {
    for (let v; (v = await inp.recv()) !== undefined; ) {
      if (v % prime !== 0) await out.send(v);
    }
    out.close();
  }
  return async function sieve() {
    stop = false;
    let ch = chan();
    go(generate, ch);
    let prime = 0;
    for (let i = 0; i < primes; i++) {
      prime = await ch.recv();
      const ch1 = chan();
      go(filter, ch, ch1, prime);
      ch = ch1;
    }
    stop = true;
    while ((await ch.recv()) !== undefined);
    return prime;
  };
}

// One sieve takes most of a second: a fixed number of runs (per round) instead of a time budget.
export const options = {
  full: { time: 1, iterations: 3, warmupTime: 1, warmupIterations: 1 },
  quick: { time: 1, iterations: 1, warmup: false },
};
