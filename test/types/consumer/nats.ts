// A TypeScript user's view of batonjs/nats through the published declarations (dist/nats.d.ts,
// through package.json's exports), compiled with skipLibCheck off as consumer.ts is. The NATS
// client's own declarations use Symbol.asyncDispose, so this file is compiled with the
// esnext.disposable library (tsconfig.nats.json), as a user of the client compiles.
import { chan, recv, send, select } from "batonjs";
import type { Chan, RecvChan } from "batonjs";
import { natsChan, removeNatsChan } from "batonjs/nats";
import type { NatsChanOptions } from "batonjs/nats";
import type { NatsConnection } from "@nats-io/transport-node";

export async function natsConsumer(nc: NatsConnection): Promise<string | undefined> {
  const opts: NatsChanOptions = { capacity: 10, ackWaitMs: 5000 };
  const jobs: Chan<string> = await natsChan<string>(nc, "jobs", opts);
  const r: RecvChan<string> = jobs;
  const local = chan<string>(1);
  const a = recv(r);
  await select([a, recv(local), send(jobs, "x")]);
  await removeNatsChan(nc, "jobs");
  return a.value;
}
