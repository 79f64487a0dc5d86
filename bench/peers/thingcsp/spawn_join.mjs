// spawn_join in @thi.ng/csp: N async-function workers each write 2i to a `channel(N)`, and the
// iteration reads N results. Each worker's write finds room in the buffer, but its promise (and
// so the worker) settles only once main has read the value: see spsc_buffered.mjs.
import { channel } from "@thi.ng/csp";

export function make({ batch: N }) {
  async function worker(i, done) {
    await done.write(i * 2);
  }
  return async function spawnJoin() {
    const done = channel(N);
    for (let i = 0; i < N; i++) worker(i, done);
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await done.read();
    return sum;
  };
}
