// Shared body of spsc_buffered and spsc_unbuffered: one producer goroutine sends `batch`
// numbers, one consumer goroutine receives them; per message. An iteration resolves to the sum.

export function makeSpsc(capacity, N) {
  return function make({ chan, go }) {
    async function producer(c) {
      for (let i = 0; i < N; i++) await c.send(i);
    }
    async function consumer(c, done) {
      let sum = 0;
      for (let i = 0; i < N; i++) sum += await c.recv();
      await done.send(sum);
    }
    return async function spsc() {
      const c = chan(capacity), done = chan(1);
      go(producer, c);
      go(consumer, c, done);
      return done.recv();
    };
  };
}
