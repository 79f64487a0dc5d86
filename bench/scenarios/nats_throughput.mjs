// nats_throughput: values/s through a NATS JetStream-backed channel between two processes; per
// value (throughput: values/s = 1e9 / the figure).
// baton: `natsChan(nc, name, { capacity: 1000 })` (batonjs/nats) in a producer process and a
// consumer process, one `send` / one `recv` per value.
// Peer "nats": the same client packages (@nats-io/transport-node, @nats-io/jetstream) used
// directly on the same kind of stream (work-queue, max_msgs 1000, discard new, file storage, one
// durable pull consumer with explicit acks): `await js.publish(subject, bytes)` per value in the
// producer, `consumer.consume()` with `m.ack()` per message in the consumer. The same guarantees:
// each value stored before the next is sent, each acknowledged when taken.
// Each library's run starts its own nats-server (127.0.0.1, a free port, a temporary store);
// the sides: bench/xthread/nats_throughput.<library>.mjs.
// Target: baton's time per value at most 1.25x the raw client's.
import { findNatsServer, INSTALL_HINT, NatsServer } from "../../test/helpers/nats-server.mjs";
import { startSide } from "../lib/xthread.mjs";

export const name = "nats_throughput";
export const unit = "ns/op";
export const per = "value";
export const throughput = true;
export const batch = 2000;
export const capacity = 1000;
export const peers = ["nats"];
export const targets = { nats: { ratio: 1.25 } };
export const options = {
  full: { time: 6000, iterations: 6, warmupTime: 500, warmupIterations: 1 },
  quick: { time: 1000, iterations: 2, warmupTime: 100, warmupIterations: 1 },
};
/** Why the scenario cannot run here, or null. */
export const skip = findNatsServer() === null ? `nats-server is not installed (${INSTALL_HINT})` : null;

export async function make(lib) {
  const server = await NatsServer.start();
  try {
    const side = await startSide(name, lib, { N: batch, capacity, url: server.url });
    return {
      run: side.run,
      async close(opts) {
        try {
          await side.close(opts);
        } finally {
          await server.close();
        }
      },
    };
  } catch (e) {
    await server.close();
    throw e;
  }
}
