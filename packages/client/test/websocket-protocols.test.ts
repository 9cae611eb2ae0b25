import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatehouse, webSocketGate } from '@gatehouse/core';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { InvalidOptionsError, webSocketProtocols } from '../src/index.js';

describe('webSocketProtocols', () => {
  it('puts gatehouse.v1 first, the caller’s protocols next, and the token base64url-encoded last', () => {
    const token = 'a+b/c=é';
    const list = webSocketProtocols(token, ['chat.v2']);
    expect(list).toEqual([
      'gatehouse.v1',
      'chat.v2',
      `gatehouse.bearer.${Buffer.from(token).toString('base64url')}`,
    ]);
    // Every entry is an RFC 6455 subprotocol token (no padding, no separators).
    for (const protocol of list) expect(protocol).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
  });

  it('refuses an empty token', () => {
    expect(() => webSocketProtocols('')).toThrow(InvalidOptionsError);
  });

  it('opens a socket on a Gatehouse server that selects gatehouse.v1', async () => {
    const gate = createGatehouse({ apiKeys: [{ name: 'browser', key: 'browser-key-0123456789' }] });
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true });
    webSocketGate(gate, { server: wss }).attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/v1/stream`,
        webSocketProtocols('browser-key-0123456789'),
      );
      const welcome = await new Promise((resolve, reject) => {
        ws.once('message', (data) => resolve(JSON.parse(String(data))));
        ws.once('error', reject);
      });
      expect(ws.protocol).toBe('gatehouse.v1');
      expect(welcome).toEqual({
        type: 'welcome',
        subject: 'browser',
        issuer: 'api_key',
        authType: 'api_key',
      });
      ws.close();
    } finally {
      wss.close();
      server.closeAllConnections();
      server.close();
      gate.close();
    }
  });
});
