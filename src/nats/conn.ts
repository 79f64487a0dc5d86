// A NATS connection as batonjs/nats sees it: the JetStream client over it, whether it is up, and
// the channels with operations under way on it, which a lost connection fails.
//
// The client packages (@nats-io/jetstream, and @nats-io/transport-node that makes the
// connection) are peer dependencies: batonjs/nats checks at import that they can be found
// (client.ts) and loads @nats-io/jetstream with a dynamic import on the first natsChan() call.
//
// Who tells whom: the connection's status stream (nc.status()) reports "disconnect" and
// "reconnect"; on a disconnect every member channel fails its pending operations with an error
// naming the server (Member.connLost) and new operations are refused until the reconnect
// (Member.reconnected), after which the channels work again. A closed connection fails them for
// good.
//
// Invariants:
//  `down` is non-null exactly while the connection is not usable (between a disconnect and the
//   next reconnect, and for good once it is closed).
//  A channel is in `members` while it has an operation under way on this connection.

import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { loadJetStream } from "./client.js";

/** What a channel does when its connection goes down or comes back. */
export interface Member {
  /** Fails every pending operation with `err` and forgets what the server was asked. */
  connLost(err: Error): void;
  /** The connection is back: hand back what was held across the outage. */
  reconnected(): void;
}

export class Conn {
  /** Why operations are refused now, or null while the connection is up. */
  down: Error | null = null;
  /** Channels with operations under way. */
  readonly members = new Set<Member>();

  constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {
    void this.watch();
    nc.closed().then(
      () => this.lose(new Error(`the connection to the NATS server ${this.server()} is closed`), true),
      () => {},
    );
  }

  /** Why operations are refused now (the connection is down or closed), or null. */
  failure(): Error | null {
    if (this.down === null && this.nc.isClosed()) {
      return new Error(`the connection to the NATS server ${this.server()} is closed`);
    }
    return this.down;
  }

  /** The server this connection talks to ("host:port"), for error messages. */
  server(): string {
    try {
      return this.nc.getServer();
    } catch {
      return "(unknown)";
    }
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect") {
        this.lose(new Error(`lost the connection to the NATS server ${s.server}`), false);
      } else if (s.type === "reconnect") {
        if (this.nc.isClosed()) continue;
        this.down = null;
        for (const m of [...this.members]) m.reconnected();
      }
    }
  }

  private lose(err: Error, forGood: boolean): void {
    if (this.down !== null && !forGood) return;
    this.down = err;
    for (const m of [...this.members]) m.connLost(err);
  }
}

const conns = new WeakMap<NatsConnection, Promise<Conn>>();

/** The Conn of `nc`, made on first use (it loads the JetStream client and checks that the server
 *  has JetStream). */
export function connOf(nc: NatsConnection): Promise<Conn> {
  let c = conns.get(nc);
  if (c === undefined) {
    c = (async () => {
      const { jetstream, jetstreamManager } = await loadJetStream();
      let jsm: JetStreamManager;
      try {
        jsm = await jetstreamManager(nc);
      } catch (e) {
        throw new Error(`the NATS server ${serverOf(nc)} does not offer JetStream (start it with -js): ${messageOf(e)}`, { cause: e });
      }
      return new Conn(nc, jetstream(nc), jsm);
    })();
    c.catch(() => conns.delete(nc)); // try again next time
    conns.set(nc, c);
  }
  return c;
}

function serverOf(nc: NatsConnection): string {
  try {
    return nc.getServer();
  } catch {
    return "(unknown)";
  }
}

/** An error's message, for wrapping it. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
