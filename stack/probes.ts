// Small network probes used to decide that a service really answers.
import { connect } from "node:net";

/**
 * Opens a TCP connection to 127.0.0.1:port, optionally sends `send`, and resolves
 * once the received bytes start with `expect`; rejects on anything else.
 */
export function tcpExpect(port: number, expect: string, send?: string, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    const finish = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer on port ${port} within ${timeoutMs}ms`)));
    socket.on("error", finish);
    socket.on("connect", () => {
      if (send !== undefined) socket.write(send);
    });
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (received.startsWith(expect)) finish();
      else if (received.length >= expect.length) {
        finish(new Error(`unexpected answer on port ${port}: ${JSON.stringify(received.slice(0, 80))}`));
      }
    });
    socket.on("end", () => finish(new Error(`port ${port} closed the connection`)));
  });
}

/** GET a URL and return its body; non-2xx is an error. */
export async function httpGet(url: string, timeoutMs = 2000): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${body.slice(0, 200)}`);
  return body;
}
