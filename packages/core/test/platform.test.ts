import { createHash, createHmac, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeyAuthProvider, DpopNonces } from '../src/index.js';
import { sha256, useDigestImplementation } from '../src/platform/digest.js';
import { hmacSha256Bytes, sha256Bytes } from '../src/platform/sha256.js';

// The plain JavaScript SHA-256 serves workerd without nodejs_compat: it must agree with OpenSSL at every
// padding boundary (55/56/63/64 bytes), on multi-byte text, and inside HMAC with short and long keys.
describe('the JavaScript SHA-256 used where node:crypto is missing', () => {
  afterEach(() => useDigestImplementation('auto'));

  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 1000])('matches OpenSSL on %i bytes', (length) => {
    const data = randomBytes(length);
    expect(Buffer.from(sha256Bytes(data)).toString('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
  });

  it('hashes strings as UTF-8 and encodes base64 and base64url like node:crypto', () => {
    const text = 'grüße, 世界 🔑';
    const node = [sha256(text, 'base64'), sha256(text, 'base64url')];
    useDigestImplementation('javascript');
    expect([sha256(text, 'base64'), sha256(text, 'base64url')]).toEqual(node);
  });

  it.each([16, 64, 100])('matches OpenSSL HMAC-SHA-256 with a %i-byte key', (keyLength) => {
    const key = randomBytes(keyLength);
    const data = randomBytes(77);
    expect(Buffer.from(hmacSha256Bytes(key, data)).toString('hex')).toBe(
      createHmac('sha256', key).update(data).digest('hex'),
    );
  });

  it('gives API keys and DPoP nonces the same answers on either implementation', () => {
    const secret = 'x'.repeat(32);
    const now = () => 1_800_000_000_000;
    const nodeNonce = new DpopNonces({ secret, now }).current();
    useDigestImplementation('javascript');
    const keys = new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'secret-key-123' }] });
    expect(keys.resolve('secret-key-123').subject).toBe('svc');
    const nonces = new DpopNonces({ secret, now });
    expect(nonces.current()).toBe(nodeNonce);
    expect(nonces.check(nodeNonce)).toBe('current');
  });
});
