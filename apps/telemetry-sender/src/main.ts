/**
 * `npm start -w apps/telemetry-sender`: sends this process's telemetry to apps/ingestion, with an API key
 * or client credentials (see config.ts), once by default or every SENDER_INTERVAL_SECS until stopped.
 * Prints one line per batch; never a token or key. Exit 0 when every batch was accepted, 1 otherwise.
 */
import { collectBatch } from './collect.js';
import { senderConfigFromEnv } from './config.js';
import { authenticatedFetch } from './credentials.js';
import { sendBatch } from './sender.js';

const NAME = 'telemetry-sender';

async function main(): Promise<number> {
  const config = senderConfigFromEnv(process.env);
  const fetchWithAuth = authenticatedFetch(config.credentials, process.env);
  let stop = false;
  let wake: (() => void) | undefined;
  const onSignal = () => {
    stop = true;
    wake?.();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  for (let sequence = 1; !stop && (config.batches === 0 || sequence <= config.batches); sequence++) {
    if (sequence > 1) {
      // Not unref'd: this timer is all that keeps a sender with SENDER_BATCHES=0 alive between batches
      // (unref'd, the process ended after its first batch); a signal wakes it at once.
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, config.intervalSecs * 1000);
      });
      if (stop) break;
    }
    const answer = await sendBatch(
      fetchWithAuth,
      config.ingestionUrl,
      collectBatch(config.processId, sequence),
    );
    const { processes, logs, metrics } = answer.accepted;
    console.log(
      `${NAME}: batch ${sequence} accepted by ${config.ingestionUrl.origin} (${processes} process, ${logs} log, ${metrics} metrics) as ${answer.sender.subject} (${answer.sender.authType}), batch id ${answer.batchId}`,
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`${NAME}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
