/** Sends one batch to apps/ingestion with an authenticated fetch and reads the answer. */
import type { FetchLike } from '@gatehouse/client';

export interface IngestAnswer {
  batchId: string;
  accepted: { processes: number; logs: number; metrics: number };
  sender: { subject: string; issuer: string; authType: string };
}

/** Ingestion refused the batch: the status and its JSON error, never the token. */
export class IngestionError extends Error {
  readonly status: number;
  readonly error: string;

  constructor(status: number, error: string, description: string) {
    super(`ingestion answered ${status} ${error}${description ? `: ${description}` : ''}`);
    this.name = 'IngestionError';
    this.status = status;
    this.error = error;
  }
}

export async function sendBatch(
  fetchWithAuth: FetchLike,
  ingestionUrl: URL,
  batch: unknown,
): Promise<IngestAnswer> {
  const res = await fetchWithAuth(new URL('/v1/ingest', ingestionUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(batch),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: reported by status below
  }
  if (!res.ok) {
    throw new IngestionError(res.status, String(body.error ?? 'error'), String(body.error_description ?? ''));
  }
  return body as unknown as IngestAnswer;
}
