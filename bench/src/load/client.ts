import type { ChildProcess } from 'node:child_process';
import { DIST, spawnNode, stopProcess } from '../parts/processes.js';
import type { LoadRequest, LoadResult } from './protocol.js';

/** The orchestrator's handle on the load-generator process (autocannon, pinned to its own core). */
export class LoadGenerator {
  private nextId = 1;
  private readonly pending = new Map<number, (result: LoadResult | { error: string }) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: (LoadResult | { error: string }) & { id: number }) => {
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
  }

  static start(core: number): LoadGenerator {
    return new LoadGenerator(spawnNode(core, [`${DIST}load/worker.js`], { ipc: true }));
  }

  run(request: Omit<LoadRequest, 'id'>): Promise<LoadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (result) => {
        if ('error' in result) reject(new Error(result.error));
        else resolve(result);
      });
      this.child.send({ ...request, id });
    });
  }

  stop(): Promise<void> {
    this.child.disconnect();
    return stopProcess(this.child);
  }
}
