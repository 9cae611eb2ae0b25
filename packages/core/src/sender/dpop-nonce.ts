import { DEFAULTS } from '../config/defaults.js';
import { hmacSha256 } from '../platform/digest.js';
import { constantTimeEqual, decodeBase64, encodeBase64, utf8Bytes } from '../platform/encoding.js';

/** Options of {@link DpopNonces}. */
export interface DpopNonceOptions {
  /**
   * The secret every instance shares (at least 32 bytes, or 32 characters): nonces made by one instance
   * are then valid on all of them, with no shared state.
   */
  readonly secret: string | Uint8Array;
  /** How often the current nonce changes, in seconds. Default `DEFAULTS.dpopNonceRotationSecs` (60). */
  readonly rotationSecs?: number;
  /** Current time in milliseconds (for tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** Shortest accepted nonce secret, in bytes. */
export const MIN_NONCE_SECRET_BYTES = 32;

/** What {@link DpopNonces.check} found: the current nonce, an older (or slightly newer) valid one, or none. */
export type NonceState = 'current' | 'valid' | 'invalid';

const WINDOW_BYTES = 6;
const MAC_BYTES = 18;
const NONCE_LENGTH = ((WINDOW_BYTES + MAC_BYTES) / 3) * 4;
const LABEL = utf8Bytes('gatehouse dpop nonce v1');

/**
 * Server-provided DPoP nonces (RFC 9449 §8) that rotate and hold on every instance without shared
 * state: a nonce is the time window it was made in plus an HMAC of that window under the shared
 * secret. The current window's nonce is handed out; the previous and the next window's are accepted too
 * (a nonce handed out just before a rotation, an instance whose clock runs slightly ahead), so a nonce
 * lives between one and two rotations.
 *
 * @example
 * ```ts
 * const nonces = new DpopNonces({ secret: process.env.NONCE_SECRET! });
 * res.setHeader('DPoP-Nonce', nonces.current());
 * nonces.check(proofNonce); // 'current' | 'valid' | 'invalid'
 * ```
 */
export class DpopNonces {
  private readonly secret: Uint8Array;
  private readonly rotationMs: number;
  private readonly now: () => number;
  private memo: { window: number; nonce: string } = { window: Number.NaN, nonce: '' };

  constructor(options: DpopNonceOptions) {
    const secret =
      typeof options.secret === 'string' ? utf8Bytes(options.secret) : Uint8Array.from(options.secret);
    if (secret.length < MIN_NONCE_SECRET_BYTES) {
      throw new RangeError(`"secret" must be at least ${MIN_NONCE_SECRET_BYTES} bytes`);
    }
    const rotationSecs = options.rotationSecs ?? DEFAULTS.dpopNonceRotationSecs;
    if (!Number.isInteger(rotationSecs) || rotationSecs < 1 || rotationSecs > 86_400) {
      throw new RangeError('"rotationSecs" must be an integer between 1 and 86400');
    }
    this.secret = secret;
    this.rotationMs = rotationSecs * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The nonce to hand out now (the same string for the whole window). */
  current(): string {
    const window = this.window();
    if (this.memo.window !== window) this.memo = { window, nonce: this.make(window) };
    return this.memo.nonce;
  }

  /** Whether `nonce` is the current one, another one still accepted, or not valid. */
  check(nonce: string): NonceState {
    if (nonce.length !== NONCE_LENGTH) return 'invalid';
    const current = this.window();
    if (nonce === this.current()) return 'current';
    const bytes = decodeBase64(nonce);
    if (bytes === undefined || bytes.length !== WINDOW_BYTES + MAC_BYTES) return 'invalid';
    const window = readWindow(bytes);
    if (window < current - 1 || window > current + 1) return 'invalid';
    const expected = this.mac(bytes.subarray(0, WINDOW_BYTES));
    return constantTimeEqual(expected, bytes.subarray(WINDOW_BYTES)) ? 'valid' : 'invalid';
  }

  private window(): number {
    return Math.floor(this.now() / this.rotationMs);
  }

  private make(window: number): string {
    const nonce = new Uint8Array(WINDOW_BYTES + MAC_BYTES);
    // The window number, big-endian in six bytes (a 48-bit integer: exact in a double).
    for (let i = WINDOW_BYTES - 1, rest = window; i >= 0; i--, rest = Math.floor(rest / 256)) {
      nonce[i] = rest % 256;
    }
    nonce.set(this.mac(nonce.subarray(0, WINDOW_BYTES)), WINDOW_BYTES);
    return encodeBase64(nonce, 'base64url');
  }

  private mac(windowBytes: Uint8Array): Uint8Array {
    const data = new Uint8Array(LABEL.length + windowBytes.length);
    data.set(LABEL);
    data.set(windowBytes, LABEL.length);
    return hmacSha256(this.secret, data).subarray(0, MAC_BYTES);
  }
}

function readWindow(bytes: Uint8Array): number {
  let window = 0;
  for (let i = 0; i < WINDOW_BYTES; i++) window = window * 256 + bytes[i]!;
  return window;
}
