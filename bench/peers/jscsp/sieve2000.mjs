// sieve2000 in js-csp: Go's concurrent prime sieve with processes and unbuffered channels, shut
// down as the scenario's (the generator stops and closes, each filter closes its output when its
// input is closed, main drains the last channel); main returns the last prime found.
import csp from "js-csp";

const { go, chan, put, take, takeAsync, CLOSED } = csp;

export function make({ primes }) {
  let stop = false;
  function* generate(out) {
    for (let i = 2; !stop; i++) yield put(out, i);
    out.close();
  }
  function* filter(inp, out, prime) {
    for (let v; (v = yield take(inp)) !== CLOSED; ) {
      if (v % prime !== 0) yield put(out, v);
    }
    out.close();
  }
  function* main() {
    stop = false;
    let ch = chan();
    go(generate, [ch]);
    let prime = 0;
    for (let i = 0; i < primes; i++) {
      prime = yield take(ch);
      const ch1 = chan();
      go(filter, [ch, ch1, prime]);
      ch = ch1;
    }
    stop = true;
    while ((yield take(ch)) !== CLOSED);
    return prime;
  }
  return function sieve() {
    return new Promise((resolve) => takeAsync(go(main), resolve));
  };
}
