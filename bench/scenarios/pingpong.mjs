// pingpong: unbuffered ping-pong between two goroutines, per round trip.
// A sends on c1, B receives it and sends it back on c2, A receives it: one round trip.
// Go: BenchmarkChanSync-like; 325 ns per round trip with Go 1.19, GOMAXPROCS=1 (FACTS.md).

export const name = "pingpong";
export const unit = "ns/op";
export const per = "round trip";
export const batch = 10_000;
export const target = { ratio: 0.8 };

export function make({ chan, go }) {
  const N = batch;
  async function a(c1, c2, done) {
    let sum = 0;
    for (let i = 0; i < N; i++) {
      await c1.send(i);
      sum += await c2.recv();
    }
    await done.send(sum);
  }
  async function b(c1, c2) {
    for (let i = 0; i < N; i++) await c2.send(await c1.recv());
  }
  const expected = (N * (N - 1)) / 2;
  return async function pingpong() {
    const c1 = chan(), c2 = chan(), done = chan(1);
    go(a, c1, c2, done);
    go(b, c1, c2);
    const sum = await done.recv();
    if (sum !== expected) throw new Error(`pingpong: sum ${sum}, want ${expected}`);
  };
}
