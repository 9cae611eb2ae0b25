/**
 * What the example sender reports about itself: a process description, a log line and a few runtime
 * metrics, in the batch format of apps/ingestion.
 */
import { hostname } from 'node:os';

export interface Batch {
  processes: {
    processId: string;
    name: string;
    host: string;
    pid: number;
    version: string;
    startedAt: string;
  }[];
  logs: { processId: string; timestamp: string; level: 'info'; message: string }[];
  metrics: { processId: string; timestamp: string; name: string; value: number; unit: string }[];
}

const startedAt = new Date(Date.now() - Math.round(process.uptime() * 1000)).toISOString();

export function collectBatch(processId: string, sequence: number, now: Date = new Date()): Batch {
  const timestamp = now.toISOString();
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const metric = (name: string, value: number, unit: string) => ({ processId, timestamp, name, value, unit });
  return {
    processes: [
      {
        processId,
        name: 'telemetry-sender',
        host: hostname().slice(0, 255),
        pid: process.pid,
        version: process.version,
        startedAt,
      },
    ],
    logs: [{ processId, timestamp, level: 'info', message: `telemetry batch ${sequence}` }],
    metrics: [
      metric('process.memory.rss', memory.rss, 'By'),
      metric('process.memory.heap_used', memory.heapUsed, 'By'),
      metric('process.cpu.user', cpu.user / 1000, 'ms'),
      metric('process.uptime', process.uptime(), 's'),
    ],
  };
}
