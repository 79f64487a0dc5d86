// spsc_buffered and spsc_unbuffered in js-csp: a producer process puts 0..N-1, a consumer
// process takes them and returns their sum. `chan(capacity)`: a fixed buffer of that size, or
// an unbuffered channel for 0.
import csp from "js-csp";

const { go, chan, put, take, takeAsync } = csp;

export function make({ batch: N, capacity }) {
  function* producer(c) {
    for (let i = 0; i < N; i++) yield put(c, i);
  }
  function* consumer(c) {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += yield take(c);
    return sum;
  }
  return function spsc() {
    const c = chan(capacity);
    go(producer, [c]);
    return new Promise((resolve) => takeAsync(go(consumer, [c]), resolve));
  };
}
