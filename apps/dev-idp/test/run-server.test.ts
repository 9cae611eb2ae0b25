import { createServer, type Server } from 'node:net';
import { describe, expect, test } from 'vitest';
import { runDevIdpServer, type ServerProcess } from '../src/run-server.js';

function fakeProcess(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const handlers = new Map<NodeJS.Signals, (signal: NodeJS.Signals) => void>();
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    exit = resolve;
  });
  const proc: ServerProcess = {
    env,
    log: (line) => out.push(line),
    error: (line) => err.push(line),
    exit: (code) => exit(code),
    onSignal: (signal, handler) => handlers.set(signal, handler),
  };
  return { proc, out, err, handlers, exited };
}

function listen(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('the runnable server (main.ts)', () => {
  test('prints the banner and a summary, and SIGTERM closes it with exit code 0', async () => {
    const { proc, out, err, handlers, exited } = fakeProcess({
      DEV_IDP_PORT: '0',
      DEV_IDP_AUDIENCE: 'https://api.example',
    });
    const idp = await runDevIdpServer(proc);
    expect(idp).toBeDefined();

    const banner = out.join('\n');
    expect(banner).toContain('DEVELOPMENT IDENTITY PROVIDER — not for production');
    expect(banner).toContain(`issuer     ${idp!.issuer}`);
    expect(banner).toContain('audience   https://api.example');
    for (const name of ['gatehouse-service', 'gatehouse-cli', 'gatehouse-web', 'gatehouse-device']) {
      expect(banner).toContain(name);
    }
    for (const user of ['alice@example.com', 'bob@example.com', 'mallory@example.com'])
      expect(banner).toContain(user);
    // The only secrets printed are the fixed client secrets, each labelled as a development value.
    for (const line of banner.split('\n').filter((l) => /secret/i.test(l))) {
      expect(line).toMatch(/development secret: gatehouse-(service|web)-dev-secret$/);
    }
    expect(err).toEqual([]);

    handlers.get('SIGTERM')!('SIGTERM');
    expect(await exited).toBe(0);
    (await listen(idp!.port)).close();
  });

  test('a taken port is one clear line and exit code 1', async () => {
    const blocker = await listen(0);
    try {
      const port = (blocker.address() as { port: number }).port;
      const { proc, out, err, exited } = fakeProcess({ DEV_IDP_PORT: String(port) });
      await runDevIdpServer(proc);
      expect(await exited).toBe(1);
      expect(err).toEqual([
        `dev-idp: port ${port} on 127.0.0.1 is already in use (set DEV_IDP_PORT to another port)`,
      ]);
      expect(out).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  test.each([
    [{ DEV_IDP_HOST: '0.0.0.0' }, /development identity provider.*refuses non-loopback/],
    [{ DEV_IDP_PORT: 'http' }, /DEV_IDP_PORT/],
  ])('%o exits 1 with the reason', async (env, reason) => {
    const { proc, err, exited } = fakeProcess(env);
    await runDevIdpServer(proc);
    expect(await exited).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(reason);
  });
});
