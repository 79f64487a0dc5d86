// pingpong in js-csp: processes A and B (generator functions run by `go`), two unbuffered
// channels; A puts i on c1 and takes the reply from c2, B takes from c1 and puts it on c2.
// A process's return value comes out of the channel `go` returns: the iteration takes A's sum
// from it with `takeAsync`, js-csp's bridge to code outside processes.
import csp from "js-csp";

const { go, chan, put, take, takeAsync } = csp;

export function make({ batch: N }) {
  function* a(c1, c2) {
    let sum = 0;
    for (let i = 0; i < N; i++) {
      yield put(c1, i);
      sum += yield take(c2);
    }
    return sum;
  }
  function* b(c1, c2) {
    for (let i = 0; i < N; i++) yield put(c2, yield take(c1));
  }
  return function pingpong() {
    const c1 = chan(), c2 = chan();
    go(b, [c1, c2]);
    return new Promise((resolve) => takeAsync(go(a, [c1, c2]), resolve));
  };
}
