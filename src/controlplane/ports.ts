// Free loopback ports, found by binding port 0 and reading what the kernel chose. Another
// process can take a port between our probe and the server's bind; the caller retries then.
import { createServer, type Server } from 'node:net';

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Returns `count` distinct loopback ports that were free a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  // Hold every probe open until all are chosen, so the kernel cannot hand out one port twice.
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen());
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port bound');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  }
}

/** True when nothing listens on the loopback `port`, tested by binding it. */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
