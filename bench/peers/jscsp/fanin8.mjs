// fanin8 in js-csp: eight producer processes put on one unbuffered channel, one consumer
// process takes all their values and returns the sum.
import csp from "js-csp";

const { go, chan, put, take, takeAsync } = csp;

export function make({ batch: N }) {
  const P = 8, each = N / P;
  function* producer(c, base) {
    for (let i = 0; i < each; i++) yield put(c, base + i);
  }
  function* consumer(c) {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += yield take(c);
    return sum;
  }
  return function fanin8() {
    const c = chan();
    for (let p = 0; p < P; p++) go(producer, [c, p * each]);
    return new Promise((resolve) => takeAsync(go(consumer, [c]), resolve));
  };
}
