// nats_throughput, the raw client: the same topology with @nats-io/jetstream used directly. The
// stream is what natsChan makes (work-queue retention, max_msgs = capacity with discard "new",
// file storage) with one durable pull consumer (explicit acks). The producer awaits
// `js.publish(subject, bytes)` per value (8 bytes, a float64), trying again after a millisecond
// if the stream is full; the consumer takes the messages of one `consumer.consume()` (the
// client's default prefetch), acking each (`m.ack()`), and decodes each value.
import { startProcs, role, data, serveProcess } from "../lib/xprocess.mjs";
import { verify } from "../lib/xthread.mjs";

const ROLE = "nats_throughput.nats";

export async function start(lib, { N, capacity, url }) {
  const me = new URL(import.meta.url);
  const d = { url, name: `raw_${process.pid}`, capacity };
  const [producer, consumer] = await startProcs([
    { url: me, role: `${ROLE}.producer`, data: d },
    { url: me, role: `${ROLE}.consumer`, data: d },
  ]);
  return {
    async run() {
      const got = consumer.call("consume", N);
      const [, res] = await Promise.all([producer.call("produce", N), got]);
      verify("nats_throughput/nats", res, { count: N, sum: (N * (N - 1)) / 2 });
    },
    close: () => Promise.all([producer.kill(), consumer.kill()]),
  };
}

if (role?.startsWith(ROLE)) {
  const { connect } = await import("@nats-io/transport-node");
  const { jetstream, jetstreamManager } = await import("@nats-io/jetstream");
  const nc = await connect({ servers: data.url });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = data.name, subject = `raw.${data.name}`;
  try {
    await jsm.streams.add({ name: stream, subjects: [subject], retention: "workqueue", max_msgs: data.capacity, discard: "new", storage: "file" });
  } catch {
    // the other side made it
  }
  try {
    await jsm.consumers.add(stream, { durable_name: "c", ack_policy: "explicit" });
  } catch {
    // the other side made it
  }
  let messages = null; // the consumer's iterator, kept across batches
  serveProcess({
    async produce(n) {
      const f = new Float64Array(1), bytes = new Uint8Array(f.buffer);
      for (let i = 0; i < n; i++) {
        f[0] = i;
        for (;;) {
          try {
            await js.publish(subject, bytes);
            break;
          } catch (e) {
            if (e?.code !== 10077) throw e; // full: try again
            await new Promise((r) => setTimeout(r, 1));
          }
        }
      }
      return n;
    },
    async consume(n) {
      messages ??= (await (await js.consumers.get(stream, "c")).consume())[Symbol.asyncIterator]();
      let count = 0, sum = 0;
      while (count < n) {
        const { value: m, done } = await messages.next();
        if (done) throw new Error("the consumer's iterator ended");
        sum += new DataView(m.data.buffer, m.data.byteOffset, 8).getFloat64(0, true);
        m.ack();
        count++;
      }
      return { count, sum };
    },
  });
}
