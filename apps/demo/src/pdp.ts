/**
 * The demo's AuthZEN policy decision point (apps/authzen-pdp, answering from Cedar policies): ingestion's
 * `GET /v1/processes` asks it whose processes an identity may read.
 */
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '@gatehouse/testkit';
import type { Supervisor } from './processes.js';
import { HOST, PDP } from './settings.js';

/** Starts the PDP with the ownership policies; resolves with its URL. */
export async function startPdp(supervisor: Supervisor): Promise<string> {
  const port = PDP.port === 0 ? await freePort(HOST) : PDP.port;
  const policies = join(REPO_ROOT, 'apps/authzen-pdp/fixtures/ownership/policies.cedar');
  const [, url = ''] = await supervisor.start(
    'authzen-pdp',
    { HOST, PORT: String(port), AUTHZEN_POLICIES: policies },
    /listening on (http:\/\/\S+)/,
  );
  return url;
}
