// Types of nats-server.mjs (plain JavaScript, so that the bench and the example can use it too).
import type { ChildProcess } from "node:child_process";

/** The path of the nats-server binary, or null if it is not installed. */
export function findNatsServer(): string | null;
/** How to install nats-server, for messages where it is missing. */
export const INSTALL_HINT: string;
/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number>;

export class NatsServer {
  /** Starts a server with JetStream on a free port and a new temporary store. */
  static start(): Promise<NatsServer>;
  readonly bin: string;
  readonly port: number;
  readonly dir: string;
  proc: ChildProcess | null;
  /** The tail of the server's log. */
  log: string;
  /** "127.0.0.1:port". */
  readonly url: string;
  /** Starts the server (again) on its port and store. */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM) and waits until it has exited. */
  stop(): Promise<void>;
  /** Stops the server and removes its store. */
  close(): Promise<void>;
}
