import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createAppLogger,
  logAccess,
  logLevelFromEnv,
  newRequestId,
  runInRequestScope,
} from '../src/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('app logger', () => {
  it('writes JSON lines with the service, and the request id while a request is handled', async () => {
    const { lines, stream } = capture();
    const logger = createAppLogger({ service: 'ingestion', destination: stream });
    logger.info({ event: 'outside' });
    const reqId = newRequestId();
    await runInRequestScope({ reqId }, async () => {
      await Promise.resolve();
      logger.warn({ event: 'gatehouse.auth.rejected', code: 'token_expired' }, 'request rejected');
    });
    expect(lines[0]).toMatchObject({ service: 'ingestion', event: 'outside' });
    expect(lines[0]).not.toHaveProperty('reqId');
    expect(lines[1]).toMatchObject({ service: 'ingestion', reqId, code: 'token_expired', level: 40 });
  });

  it('drops credential-like fields whoever logs them', () => {
    const { lines, stream } = capture();
    const logger = createAppLogger({ service: 's', destination: stream });
    logger.info({ authorization: 'Bearer abc', token: 'abc', headers: { authorization: 'Bearer abc' } });
    expect(JSON.stringify(lines)).not.toContain('abc');
  });

  it('logs one access line per request, with the path only', () => {
    const { lines, stream } = capture();
    logAccess(createAppLogger({ service: 's', destination: stream }), {
      method: 'GET',
      path: '/v1/whoami',
      status: 200,
      durationMs: 1.23456,
    });
    expect(lines[0]).toMatchObject({
      event: 'http.request',
      path: '/v1/whoami',
      status: 200,
      durationMs: 1.235,
    });
  });

  it('makes a new request id every time', () => {
    expect(newRequestId()).not.toBe(newRequestId());
  });

  it('reads LOG_LEVEL and refuses an unknown one, naming the variable', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'WARN' })).toBe('warn');
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL must be one of/);
  });
});
