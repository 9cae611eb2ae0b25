import { decodeBase64, latin1Bytes } from '../platform/encoding.js';
import type { JwsAlgorithm, KeyType, PublicJwk, VerificationBackend, VerificationKey } from './algorithms.js';
import { nodeBackend } from './node-backend.js';
import { webBackend } from './web-backend.js';

// Known answers: a signature made once (with Node's OpenSSL) over MESSAGE per key type. node:crypto
// verifies keys of a type only when it imports this key and accepts this signature; otherwise (a
// runtime whose node:crypto lacks JWK import, PSS or Ed25519, or has no node:crypto at all) WebCrypto
// verifies them. The test runs once per key type, when the first key of that type is imported.
const MESSAGE = 'gatehouse known-answer test';

interface KnownAnswer {
  readonly jwk: PublicJwk;
  readonly signatures: Readonly<Partial<Record<JwsAlgorithm, string>>>;
}

const KNOWN_ANSWERS: Readonly<Record<KeyType, KnownAnswer>> = {
  RSA: {
    jwk: {
      kty: 'RSA',
      n:
        'x9XG8ce4f4QemlM2YJV82ecR5YNtdwIkqIaRkFlPWkTB81sOSJioNw2IzS7jRGrmltNrn0J4KXGO3EEb4E_yhWyqSl' +
        'XbDbEEVvR_7Zjqbp5i1fWeWZJIUs1e4LlUaeK3oNNmdRznbiXmAz6tklNcdkgCRsPsnD7KoVIIabah8WFpHqxQHHv3' +
        'mG8PxD9M9jC1xXD1VX4ecpSPBZnouZNPBBP8MvO_ru9CyC4sLr8tg84s0jiNfVucjP-3cAcZdlE6VTW-TN8L9T8YC5' +
        '8SSv0Mu-veXwYVIkZi0ch9WiLgsdkvAwVxG_s34YgXGBcKncHYKahVkpoSgjqSQYgli92d8w',
      e: 'AQAB',
    },
    signatures: {
      RS256:
        'GJ4RoomeXpAhkYKDKmyt7jHd6mwQzzTp8CQsi16LCuGaJN109nZb55pErhthmODHXPTkmeuwJsUz7iowjKjZiFycMH' +
        '8wvrPo3GLrTI9FSNJepGfZ_up0E0TrMbmLSVWm_y4oxmGehZdlXzcgsv745fiZLd8a_a2uiC9un2r1Kovag6cAT0wu' +
        'unt-anzPisysePOUnZDH208htL7-VsOHPNP1_CQmJ5zEfOmNu1sftcicW1zGmj0dpDynuWjK8VnvqEOwDNrp1oIMqe' +
        'nae-Yk0v136eK-zt_ZjpeKn4UlWh7rzJOL3MfpaO4JILcZIPtnZmAUAwDGpnBb6By7_nnZ4w',
      PS256:
        'GWSaZo8DnbmTZJ1epOi3fLmTvkk6Z9a_XHh1rpP_GCtafRBIq1OKkjE-tPsb0YjZBtnnfnD6fc_K4h0rn5EoZEVmC5' +
        'H0LhCG9Sak1qBg0NGjzCrUUNlqCwMAzT5_c6MHot-MZQtEIHMLh1JCWuS2iCqvO-MF8lhBw6onqlC2ulH8uZsl28x-' +
        'uGDsK0W7tfHFVpvTjk7SasIXWtauQ_ck5Sl7dV_-4hGoxiZPmP3gT_heILljYBc0jWG03r-N2mqaF8SQDntj4Hjjj8' +
        'ZHALcEJT6-DMn4asPWu6K0zd7SnNkZZ6hqDJKU0oHBr968ofRjxkdlyrdc9xm3iByMAW4sOQ',
    },
  },
  EC: {
    jwk: {
      kty: 'EC',
      crv: 'P-256',
      x: 'yzy5AHMU6RH0nBm-5pp1Kzzt0vhNwGbgTWm-vZk0cSI',
      y: 'S2MHJmjyp2Z5jmYRv2gPTSlBrnYhqDDZi4Xh5rxe1jk',
    },
    signatures: {
      ES256: 'sIfguW_54sLcVg5szjaZ-kedRCFuoib2ns03zhYpKVzMsvY0lrtCByDXkpdxcwv9QaVOoGdjPHdozAQgJCcdMw',
    },
  },
  OKP: {
    jwk: { kty: 'OKP', crv: 'Ed25519', x: 'EWv8CaG2VMEoE1vNk4jTErnqiqFOyl6Lzl9vrWBpruQ' },
    signatures: {
      EdDSA: 'coo_KEOcZiffrMMbzSl5s9aZ3IgUEYoHLqAMzHdwBwvd8RmY2GLDna9gViPWVM5Kk-teaNn5LaziXSowZleFAQ',
    },
  },
};

/**
 * Which verification backend runs: chosen per key type (`auto`), or forced (tests, benchmarks).
 *
 * @example
 * ```ts
 * import { type BackendChoice, useVerificationBackend } from '@gatehouse/core';
 *
 * const choice: BackendChoice = 'webcrypto';
 * useVerificationBackend(choice);
 * ```
 */
export type BackendChoice = 'auto' | 'node' | 'webcrypto';

let choice: BackendChoice = 'auto';
let generation = 0;
const passed = new Map<KeyType, boolean>();

function nodePasses(kty: KeyType): boolean {
  let verdict = passed.get(kty);
  if (verdict === undefined) {
    verdict = knownAnswer(kty);
    passed.set(kty, verdict);
  }
  return verdict;
}

function knownAnswer(kty: KeyType): boolean {
  if (nodeBackend === undefined) return false;
  const { jwk, signatures } = KNOWN_ANSWERS[kty];
  const handle = nodeBackend.importKey(jwk);
  if (handle === undefined) return false;
  const key: VerificationKey = {
    kid: undefined,
    alg: undefined,
    kty,
    crv: 'crv' in jwk ? jwk.crv : undefined,
    jwk,
    backend: nodeBackend,
    key: handle,
    inputs: new Map(),
  };
  const message = latin1Bytes(MESSAGE);
  return Object.entries(signatures).every(([alg, signature]) => {
    const bytes = decodeBase64(signature);
    return bytes !== undefined && nodeBackend!.verify(alg as JwsAlgorithm, key, message, bytes) === true;
  });
}

/**
 * The backend that imports and verifies keys of type `kty`: node:crypto where it passes its known-answer
 * test (Node, Bun, Deno 2, workerd with `nodejs_compat`), WebCrypto elsewhere. @internal
 */
export function backendFor(kty: KeyType): VerificationBackend {
  if (nodeBackend === undefined || choice === 'webcrypto') return webBackend;
  if (choice === 'node' || nodePasses(kty)) return nodeBackend;
  return webBackend;
}

/**
 * Forces the verification backend of keys imported from now on (`'node'`, `'webcrypto'`), or restores
 * the automatic choice (`'auto'`): for tests that run the same checks against both, and benchmarks.
 * Keys already imported keep theirs. Where the runtime has no node:crypto, `'node'` still means WebCrypto.
 *
 * @example
 * ```ts
 * import { useVerificationBackend } from '@gatehouse/core';
 *
 * useVerificationBackend('webcrypto'); // every key imported from now on is verified by crypto.subtle
 * ```
 */
export function useVerificationBackend(backend: BackendChoice): void {
  choice = backend;
  generation++;
}

/** Changes whenever {@link useVerificationBackend} runs, for memos of imported keys to drop them. @internal */
export function backendGeneration(): number {
  return generation;
}

/**
 * The backend that keys of type `kty` are imported with now: `node` (node:crypto, synchronous) or
 * `webcrypto` (`crypto.subtle`, a promise per verification).
 *
 * @example
 * ```ts
 * import { verificationBackendName } from '@gatehouse/core';
 *
 * console.error(`RSA signatures verified by ${verificationBackendName('RSA')}`);
 * ```
 */
export function verificationBackendName(kty: KeyType = 'RSA'): 'node' | 'webcrypto' {
  return backendFor(kty).name;
}
