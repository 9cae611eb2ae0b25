import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.js';
import { LIMITS } from '../src/limits.js';
import { parseBatch } from '../src/validate/batch.js';
import { parseDateTime } from '../src/validate/fields.js';
import {
  parseLogQuery,
  parseMetricQuery,
  parseProcessListQuery,
  parseRetentionRequest,
} from '../src/validate/query.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

function issueOf(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return { field: (err as ValidationError).field, message: (err as ValidationError).message };
  }
  throw new Error('expected a ValidationError');
}

describe('parseDateTime', () => {
  it.each([
    ['2026-06-01T12:00:00Z', NOW],
    ['2026-06-01T14:00:00+02:00', NOW],
    ['2026-06-01T11:30:00.250-00:30', NOW + 250],
    ['2026-06-01t12:00:00z', NOW],
    ['2026-06-01T12:00:00.123456789Z', NOW + 123],
  ])('reads %s', (text, expected) => expect(parseDateTime(text)).toBe(expected));

  it.each([
    '2026-06-01',
    '2026-06-01T12:00:00',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-06-01T24:00:00Z',
    '2026-06-01T12:00:60Z',
    '1717243200000',
    'yesterday',
    ' 2026-06-01T12:00:00Z',
  ])('refuses %s', (text) => expect(parseDateTime(text)).toBeUndefined());
});

describe('parseBatch', () => {
  const log = { processId: 'web-1', timestamp: '2026-06-01T11:59:00Z', level: 'info', message: 'hi' };

  it('accepts a full batch and stamps records without a timestamp with the time of receipt', () => {
    const batch = parseBatch(
      {
        processes: [
          { processId: 'web-1', name: 'web', host: 'h1', pid: 42, version: '1.2.3', attributes: { a: 1 } },
        ],
        logs: [log, { processId: 'web-1', level: 'error', message: 'line 1\nline 2\ttab' }],
        metrics: [{ processId: 'web-1', name: 'http.requests', value: 3.5, unit: 'req/s' }],
      },
      NOW,
    );
    expect(batch.processes[0]).toMatchObject({ processId: 'web-1', pid: 42, attributes: { a: 1 } });
    expect(batch.logs.map((l) => l.timestamp)).toEqual([NOW - 60_000, NOW]);
    expect(batch.metrics[0]).toMatchObject({ name: 'http.requests', value: 3.5, timestamp: NOW });
  });

  it.each([
    ['not an object', [], '(body)'],
    ['null', null, '(body)'],
    ['an empty batch', {}, '(body)'],
    ['empty lists', { logs: [], metrics: [] }, '(body)'],
    ['an unknown top-level field', { logs: [log], extra: 1 }, 'extra'],
    ['logs not an array', { logs: {} }, 'logs'],
    ['a record not an object', { logs: ['x'] }, 'logs[0]'],
    ['a missing processId', { logs: [{ ...log, processId: undefined }] }, 'logs[0].processId'],
    ['a processId with a space', { logs: [{ ...log, processId: 'web 1' }] }, 'logs[0].processId'],
    ['a too long processId', { logs: [{ ...log, processId: 'p'.repeat(129) }] }, 'logs[0].processId'],
    ['an unknown level', { logs: [log, { ...log, level: 'loud' }] }, 'logs[1].level'],
    ['an empty message', { logs: [{ ...log, message: '' }] }, 'logs[0].message'],
    ['a too long message', { logs: [{ ...log, message: 'x'.repeat(8193) }] }, 'logs[0].message'],
    ['a NUL in a message', { logs: [{ ...log, message: 'a\u0000b' }] }, 'logs[0].message'],
    ['an escape sequence', { logs: [{ ...log, message: '\u001b[2J' }] }, 'logs[0].message'],
    ['a lone surrogate', { logs: [{ ...log, message: 'a\ud800b' }] }, 'logs[0].message'],
    ['a numeric timestamp', { logs: [{ ...log, timestamp: NOW }] }, 'logs[0].timestamp'],
    [
      'a timestamp without zone',
      { logs: [{ ...log, timestamp: '2026-06-01T12:00:00' }] },
      'logs[0].timestamp',
    ],
    [
      'a timestamp before 2000',
      { logs: [{ ...log, timestamp: '1999-12-31T23:59:59Z' }] },
      'logs[0].timestamp',
    ],
    ['a timestamp 2 h ahead', { logs: [{ ...log, timestamp: '2026-06-01T14:00:00Z' }] }, 'logs[0].timestamp'],
    ['an unknown record field', { logs: [{ ...log, token: 'x' }] }, 'logs[0].token'],
    ['a string metric value', { metrics: [{ processId: 'a', name: 'm', value: '1' }] }, 'metrics[0].value'],
    ['a missing metric value', { metrics: [{ processId: 'a', name: 'm' }] }, 'metrics[0].value'],
    ['a bad metric name', { metrics: [{ processId: 'a', name: '9lives', value: 1 }] }, 'metrics[0].name'],
    ['a fractional pid', { processes: [{ processId: 'a', name: 'n', pid: 1.5 }] }, 'processes[0].pid'],
    ['a negative pid', { processes: [{ processId: 'a', name: 'n', pid: -1 }] }, 'processes[0].pid'],
    ['a missing process name', { processes: [{ processId: 'a' }] }, 'processes[0].name'],
    [
      'attributes as a list',
      { processes: [{ processId: 'a', name: 'n', attributes: [] }] },
      'processes[0].attributes',
    ],
    [
      'a nested attribute',
      { processes: [{ processId: 'a', name: 'n', attributes: { k: { x: 1 } } }] },
      'processes[0].attributes.k',
    ],
  ])('refuses %s, naming the field', (_name, body, field) => {
    expect(issueOf(() => parseBatch(body, NOW)).field).toBe(field);
  });

  it('refuses more records than a batch may hold before looking at them', () => {
    const logs = Array.from({ length: LIMITS.maxBatchRecords + 1 }, () => log);
    expect(issueOf(() => parseBatch({ logs }, NOW)).message).toMatch(/at most 1000/);
  });

  it('reports several issues, up to ten', () => {
    const logs = Array.from({ length: 50 }, () => ({ ...log, level: 'loud' }));
    try {
      parseBatch({ logs }, NOW);
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).issues).toHaveLength(10);
    }
  });

  it('never quotes a value in its messages, and names unknown fields shortened', () => {
    const secret = 'eyJhbGciOiJSUzI1NiJ9.secret';
    expect(issueOf(() => parseBatch({ logs: [{ ...log, level: secret }] }, NOW)).message).not.toContain(
      secret,
    );
    const key = `x${'k'.repeat(100)}`;
    expect(issueOf(() => parseBatch({ logs: [log], [key]: 1 }, NOW)).field).toBe(`x${'k'.repeat(39)}…`);
  });
});

describe('query parameters', () => {
  it('defaults to the last 24 hours and 100 rows', () => {
    expect(parseLogQuery({}, NOW)).toEqual({ from: NOW - 24 * 3600_000, to: NOW, limit: 100 });
  });

  it('reads every parameter', () => {
    expect(
      parseLogQuery(
        {
          from: '2026-06-01T00:00:00Z',
          to: '2026-06-01T06:00:00Z',
          processId: 'web-1',
          level: 'warn',
          limit: '5',
        },
        NOW,
      ),
    ).toEqual({
      from: Date.UTC(2026, 5, 1),
      to: Date.UTC(2026, 5, 1, 6),
      processId: 'web-1',
      minLevel: 'warn',
      limit: 5,
    });
    expect(parseMetricQuery({ name: 'cpu.load' }, NOW)).toMatchObject({ name: 'cpu.load' });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ limit: '1e3' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ limit: '' }, 'limit'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-06-01' }, 'to'],
    [{ from: '2026-06-01T12:00:00Z', to: '2026-06-01T11:00:00Z' }, 'from'],
    [{ from: '2026-01-01T00:00:00Z' }, 'from'],
    [{ level: 'loud' }, 'level'],
    [{ processId: 'a b' }, 'processId'],
    [{ processid: 'a' }, 'processid'],
    [{ access_token: 'x' }, 'access_token'],
  ])('refuses %o, naming %s', (query, field) => {
    expect(issueOf(() => parseLogQuery(query, NOW)).field).toBe(field);
  });

  it('validates the process list limit', () => {
    expect(parseProcessListQuery({ limit: '1000' })).toEqual({ limit: 1000 });
    expect(issueOf(() => parseProcessListQuery({ from: '2026-06-01T00:00:00Z' })).field).toBe('from');
  });
});

describe('parseRetentionRequest', () => {
  it('takes a cutoff date or an age in days', () => {
    expect(parseRetentionRequest({ before: '2026-05-01T00:00:00Z' }, NOW)).toEqual({
      before: Date.UTC(2026, 4, 1),
      dryRun: false,
    });
    expect(parseRetentionRequest({ olderThanDays: '7', dryRun: 'true' }, NOW)).toEqual({
      before: NOW - 7 * 86400_000,
      dryRun: true,
    });
  });

  it.each([
    [{}, 'before'],
    [{ before: '2026-05-01T00:00:00Z', olderThanDays: '3' }, 'before'],
    [{ before: '2026-07-01T00:00:00Z' }, 'before'],
    [{ olderThanDays: '0' }, 'olderThanDays'],
    [{ olderThanDays: 'seven' }, 'olderThanDays'],
    [{ olderThanDays: '3', dryRun: 'maybe' }, 'dryRun'],
  ])('refuses %o, naming %s', (query, field) => {
    expect(issueOf(() => parseRetentionRequest(query, NOW)).field).toBe(field);
  });
});
