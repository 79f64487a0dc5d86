// pipeline3 in js-csp: gen -> sq -> sink, each a process, unbuffered channels; each stage closes
// its output once its input is done. A take from a closed, drained channel gives `CLOSED` (null,
// which is why js-csp forbids putting null).
import csp from "js-csp";

const { go, chan, put, take, takeAsync, CLOSED } = csp;

export function make({ batch: N }) {
  function* gen(out) {
    for (let i = 0; i < N; i++) yield put(out, i);
    out.close();
  }
  function* sq(inp, out) {
    for (let v; (v = yield take(inp)) !== CLOSED; ) yield put(out, v * 2);
    out.close();
  }
  function* sink(inp) {
    let sum = 0;
    for (let v; (v = yield take(inp)) !== CLOSED; ) sum += v;
    return sum;
  }
  return function pipeline3() {
    const c1 = chan(), c2 = chan();
    go(gen, [c1]);
    go(sq, [c1, c2]);
    return new Promise((resolve) => takeAsync(go(sink, [c2]), resolve));
  };
}
