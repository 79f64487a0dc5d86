// spawn_join in js-csp: a main process starts N worker processes with `go`, each puts 2i on a
// done channel with a buffer of N (so no worker waits), and main takes N results.
import csp from "js-csp";

const { go, chan, put, take, takeAsync } = csp;

export function make({ batch: N }) {
  function* worker(i, done) {
    yield put(done, i * 2);
  }
  function* main() {
    const done = chan(N);
    for (let i = 0; i < N; i++) go(worker, [i, done]);
    let sum = 0;
    for (let i = 0; i < N; i++) sum += yield take(done);
    return sum;
  }
  return function spawnJoin() {
    return new Promise((resolve) => takeAsync(go(main), resolve));
  };
}
