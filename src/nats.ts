// batonjs/nats: channels across processes and machines, kept by a NATS JetStream server. This
// module is the entry point's only door (package.json exports["./nats"]); baton's main entry
// never loads it, nor the NATS client.
//
// natsChan() finds or makes the channel's stream and consumer on the server (nats/chan.ts
// describes them and how a channel uses them) and returns a Chan backed by them. The client
// packages are peer dependencies: importing this module checks that they are installed
// (nats/client.ts).

import type { NatsConnection } from "@nats-io/transport-node";
import type { StreamConfig, StreamInfo } from "@nats-io/jetstream";
import type { Chan } from "./chan.js";
import { checkClient } from "./nats/client.js";
import { connOf, messageOf } from "./nats/conn.js";
import type { Conn } from "./nats/conn.js";
import { NatsChan } from "./nats/chan.js";
import { runtime } from "./runtime.js";
import * as index from "./index.js";

checkClient();

// A value crosses machines as the shared channels' codec writes it, whose numbers are in the
// machine's byte order (codec.ts): every machine must be little-endian, as x86-64 and ARM64 are.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("batonjs/nats needs a little-endian machine (values cross machines in little-endian byte order)");
}

/** Options of {@link natsChan}. */
export interface NatsChanOptions {
  /**
   * How many values the channel stores, sent and not yet received: `send` waits while that many
   * are stored. A positive integer (a NATS channel cannot be unbuffered: the server stores every
   * value before any receiver sees it). Every process that opens the channel gives the same.
   */
  capacity: number;
  /**
   * Milliseconds a process may hold a value it fetched before the server gives it to another
   * receiver (JetStream's ack wait): how soon a value held by a process that died is delivered
   * again. Taken when the channel is first made on the server; default 30 000.
   */
  ackWaitMs?: number;
}

const NAME = /^[A-Za-z0-9_-]{1,200}$/;

/** Throws unless this copy of baton is the realm's runtime (runtime.ts). A NATS channel plugs
 *  into its own copy's select and channels; if the program's `select` and `chan` come from another
 *  copy (batonjs imported as an ES module and batonjs/nats required, or the reverse: Node loads
 *  the two builds from different files), they would not meet. */
function checkOneCopy(what: string): void {
  if (runtime().index !== index) {
    throw new Error(
      `${what}: batonjs/nats and batonjs come from two copies of baton (in Node: one loaded with import, the other with require()), whose channels and select would not meet: load both the same way`,
    );
  }
}
const MAX_CAPACITY = 2 ** 31 - 1;
const ACK_WAIT_DEFAULT_MS = 30_000;

function describe(v: unknown): string {
  return v === null ? "null" : typeof v === "object" ? "an object that is not one" : `${typeof v === "undefined" ? "undefined" : `a ${typeof v}`}`;
}

/**
 * A channel whose values live in a NATS server (a JetStream stream named `baton_<name>`),
 * shared by every process that opens the same `name` on the same server: the same `Chan<T>` as
 * `chan()` gives, in `select` with local and shared channels too.
 *
 * Each value goes to one receiver across all processes, in the order sent per sender. `send`
 * resolves once the server has stored the value, and waits while `capacity` values are stored
 * and not yet received. Values are copied with structured-clone semantics (as for shared
 * channels). `close()` closes it for every process: receivers everywhere drain what is stored,
 * then get `ok` false; sends anywhere then reject with `PanicError("send on closed channel")`.
 *
 * Delivery is at least once, never lost: a value is acknowledged when it is handed to a
 * receiver, and a value that a process fetched but had not handed over when it died is
 * delivered to another after `ackWaitMs`. Losing the connection rejects the operations pending
 * on it with an Error that names the server; the channel works again once the client has
 * reconnected. `trySend`, `tryRecv` and `trySelect` never ask the server: they answer from what
 * this process holds (a value fetched for it), so a NATS channel's `trySend` only ever returns
 * false (or throws on a closed channel), and `len` is the count this process last saw.
 *
 * Rejects with a `RangeError` ("makechan: size out of range") for a bad capacity, a
 * `TypeError` for a bad connection, name or options, and an `Error` when the connection is
 * closed, the server has no JetStream, a channel of that name exists with another capacity, or
 * batonjs/nats and batonjs come from two copies of baton (in Node, one loaded with `import` and
 * the other with `require()`).
 *
 * @example
 * ```ts
 * import { connect } from "@nats-io/transport-node";
 * import { go } from "batonjs";
 * import { natsChan } from "batonjs/nats";
 *
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const jobs = await natsChan<{ url: string }>(nc, "jobs", { capacity: 1000 });
 * go(async () => { for await (const j of jobs) await fetch(j.url); }); // in every worker process
 * await jobs.send({ url: "https://example.com/" });                    // in any process
 * ```
 */
export async function natsChan<T = unknown>(nc: NatsConnection, name: string, options: NatsChanOptions): Promise<Chan<T>> {
  checkOneCopy("natsChan");
  const c = nc as Partial<NatsConnection> | null;
  if (c === null || typeof c !== "object" || typeof c.publish !== "function" || typeof c.subscribe !== "function" || typeof c.isClosed !== "function") {
    throw new TypeError(`natsChan: expected a NATS connection (connect() of @nats-io/transport-node), got ${describe(nc)}`);
  }
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new TypeError(`natsChan: the name must be 1 to 200 letters, digits, "_" or "-", got ${typeof name === "string" ? JSON.stringify(name) : describe(name)}`);
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError("natsChan: options must be an object such as { capacity: 100 }");
  }
  const capacity: unknown = options.capacity;
  if (typeof capacity !== "number" || !Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
    throw new RangeError(
      `makechan: size out of range (capacity ${String(capacity)}; a NATS channel needs 1 to ${MAX_CAPACITY}: it stores every value, so it cannot be unbuffered)`,
    );
  }
  const ackWait: unknown = options.ackWaitMs ?? ACK_WAIT_DEFAULT_MS;
  if (typeof ackWait !== "number" || !Number.isSafeInteger(ackWait) || ackWait < 1) {
    throw new RangeError(`natsChan: ackWaitMs must be a positive integer (milliseconds), got ${String(ackWait)}`);
  }
  if (nc.isClosed()) throw new Error(`natsChan "${name}": the NATS connection is closed`);
  const conn = await connOf(nc);
  try {
    const si = await openStream(conn, name, capacity);
    await openConsumer(conn, si.config.name, ackWait);
    return new NatsChan<T>(conn, {
      name,
      capacity,
      config: si.config,
      closed: si.config.subjects?.[0] === `baton.${name}.closed`,
    });
  } catch (e) {
    if (e instanceof RangeError || (e instanceof Error && e.message.startsWith("natsChan"))) throw e;
    throw new Error(`natsChan "${name}": the NATS server ${conn.server()} failed: ${messageOf(e)}`, { cause: e });
  }
}

/** The channel's stream: found, or made with the capacity given. */
async function openStream(conn: Conn, name: string, capacity: number): Promise<StreamInfo> {
  const stream = `baton_${name}`;
  const config: Partial<StreamConfig> & { name: string } = {
    name: stream,
    subjects: [`baton.${name}`],
    retention: "workqueue",
    max_msgs: capacity,
    discard: "new",
    storage: "file",
    description: "a batonjs channel (batonjs/nats)",
  };
  let si: StreamInfo;
  try {
    si = await conn.jsm.streams.info(stream);
  } catch (e) {
    if ((e as { code?: unknown }).code !== 10059) throw e;
    try {
      si = await conn.jsm.streams.add(config);
    } catch (e2) {
      // Another process made it first (with other settings: see the check below).
      if ((e2 as { code?: unknown }).code !== 10058) throw e2;
      si = await conn.jsm.streams.info(stream);
    }
  }
  const c = si.config;
  if (c.retention !== "workqueue" || c.discard !== "new" || c.subjects?.length !== 1 || !c.subjects[0]!.startsWith(`baton.${name}`)) {
    throw new Error(`natsChan "${name}": the stream ${stream} on the NATS server ${conn.server()} exists and is not a baton channel`);
  }
  if (c.max_msgs !== capacity) {
    throw new Error(`natsChan "${name}": the channel exists on the NATS server ${conn.server()} with capacity ${c.max_msgs}, not ${capacity}`);
  }
  return si;
}

/** The channel's consumer, shared by every process: found, or made. */
async function openConsumer(conn: Conn, stream: string, ackWaitMs: number): Promise<void> {
  try {
    await conn.jsm.consumers.info(stream, "baton");
    return;
  } catch (e) {
    if ((e as { code?: unknown }).code !== 10014) throw e;
  }
  try {
    await conn.jsm.consumers.add(stream, {
      durable_name: "baton",
      ack_policy: "explicit",
      ack_wait: ackWaitMs * 1e6,
      deliver_policy: "all",
      max_deliver: -1,
      max_waiting: 4096,
    });
  } catch (e) {
    // Another process made it first: the same consumer.
    await conn.jsm.consumers.info(stream, "baton").catch(() => {
      throw e;
    });
  }
}

/**
 * Removes the channel `name` from the NATS server, with every value it stores: its stream goes.
 * Operations of processes that still use it then fail, and a later `natsChan(nc, name, ...)`
 * makes a new, open channel. Resolves to false if there was no such channel.
 *
 * @example
 * ```ts
 * await removeNatsChan(nc, "jobs");
 * ```
 */
export async function removeNatsChan(nc: NatsConnection, name: string): Promise<boolean> {
  checkOneCopy("removeNatsChan");
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new TypeError(`removeNatsChan: the name must be 1 to 200 letters, digits, "_" or "-", got ${typeof name === "string" ? JSON.stringify(name) : describe(name)}`);
  }
  const conn = await connOf(nc);
  try {
    return await conn.jsm.streams.delete(`baton_${name}`);
  } catch (e) {
    if ((e as { code?: unknown }).code === 10059) return false;
    throw new Error(`removeNatsChan "${name}": the NATS server ${conn.server()} failed: ${messageOf(e)}`, { cause: e });
  }
}
