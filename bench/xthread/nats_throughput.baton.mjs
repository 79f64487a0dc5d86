// nats_throughput, baton: a producer process sends N numbers on `natsChan(nc, name,
// { capacity })` (batonjs/nats), a consumer process receives them, one `send` / one `recv` per
// value. A batch: the consumer is asked to receive N, the producer to send N; the consumer
// replies with its count and sum.
import { startProcs, role, data, serveProcess } from "../lib/xprocess.mjs";
import { verify } from "../lib/xthread.mjs";

const ROLE = "nats_throughput.baton";

export async function start(lib, { N, capacity, url }) {
  const me = new URL(import.meta.url);
  const d = { url, name: `bench_${process.pid}`, capacity };
  const [producer, consumer] = await startProcs([
    { url: me, role: `${ROLE}.producer`, data: d },
    { url: me, role: `${ROLE}.consumer`, data: d },
  ]);
  return {
    async run() {
      const got = consumer.call("consume", N);
      const [, res] = await Promise.all([producer.call("produce", N), got]);
      verify("nats_throughput/baton", res, { count: N, sum: (N * (N - 1)) / 2 });
    },
    close: () => Promise.all([producer.kill(), consumer.kill()]),
  };
}

if (role?.startsWith(ROLE)) {
  const { connect } = await import("@nats-io/transport-node");
  const { natsChan } = await import("../../dist/nats.js");
  const nc = await connect({ servers: data.url });
  const ch = await natsChan(nc, data.name, { capacity: data.capacity });
  serveProcess({
    async produce(n) {
      for (let i = 0; i < n; i++) await ch.send(i);
      return n;
    },
    async consume(n) {
      let count = 0, sum = 0;
      for (let i = 0; i < n; i++) {
        sum += await ch.recv();
        count++;
      }
      return { count, sum };
    },
  });
}
