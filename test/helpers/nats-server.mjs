// A real nats-server with JetStream for the tests, the bench and the distributed example: on
// 127.0.0.1, a free port and a temporary store, stopped afterwards. No mock server.
//
// findNatsServer() looks for the binary on PATH and where Debian puts it (/usr/sbin, which a
// non-root PATH may lack). NatsServer.start() waits until the server accepts connections;
// stop() ends it (SIGTERM: JetStream flushes its store) and waits for it to exit; restart()
// starts it again on the same port and store.
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** The path of the nats-server binary, or null if it is not installed. */
export function findNatsServer() {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin"];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, "nats-server");
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** How to install nats-server, for messages where it is missing. */
export const INSTALL_HINT = "install it with `apt-get install -y nats-server` (Debian, Ubuntu) or see https://docs.nats.io/running-a-nats-service/introduction/installation";

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = createConnection(port, "127.0.0.1", () => {
      s.end();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

export class NatsServer {
  /** Starts a server with JetStream on a free port and a new temporary store. */
  static async start() {
    const bin = findNatsServer();
    if (bin === null) throw new Error(`nats-server is not installed: ${INSTALL_HINT}`);
    const s = new NatsServer(bin, await freePort(), mkdtempSync(path.join(tmpdir(), "baton-nats-")));
    await s.restart();
    return s;
  }

  constructor(bin, port, dir) {
    this.bin = bin;
    this.port = port;
    this.dir = dir;
    this.proc = null;
    this.log = "";
  }

  /** "127.0.0.1:port", as clients connect to it and as errors name it. */
  get url() {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on its port and store; resolves once it accepts connections. */
  async restart() {
    if (this.proc !== null) throw new Error("nats-server is running already");
    this.log = "";
    const p = spawn(this.bin, ["-js", "-a", "127.0.0.1", "-p", String(this.port), "-sd", this.dir], { stdio: ["ignore", "ignore", "pipe"] });
    this.proc = p;
    p.stderr.on("data", (d) => (this.log = (this.log + d).slice(-20_000)));
    const exited = new Promise((resolve) => p.once("exit", resolve));
    this.exited = exited;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (p.exitCode !== null) break;
      // JetStream is ready once the log says the server is ready (it enables JetStream first).
      if (/Server is ready/.test(this.log) && (await canConnect(this.port))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    p.kill("SIGKILL");
    await exited;
    this.proc = null;
    throw new Error(`nats-server did not start on port ${this.port}:\n${this.log}`);
  }

  /** Stops the server (SIGTERM, SIGKILL after 10 s) and waits until it has exited. */
  async stop() {
    const p = this.proc;
    if (p === null) return;
    this.proc = null;
    if (p.exitCode === null) {
      p.kill("SIGTERM");
      const t = setTimeout(() => p.kill("SIGKILL"), 10_000);
      await this.exited;
      clearTimeout(t);
    }
  }

  /** Stops the server and removes its store. */
  async close() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
