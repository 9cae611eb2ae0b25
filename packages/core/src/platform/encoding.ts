import { NodeBuffer } from './builtins.js';

// Byte and text encodings on every runtime: Node's `Buffer` where it exists (native and the fastest on
// the hot path), else TextEncoder/TextDecoder and `atob`/`btoa`, which every Web runtime has.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 bytes of `text`. @internal */
export function utf8Bytes(text: string): Uint8Array {
  return NodeBuffer ? NodeBuffer.from(text, 'utf8') : encoder.encode(text);
}

/** `bytes` decoded as UTF-8 (malformed sequences become U+FFFD, as with `Buffer#toString`). @internal */
export function utf8Text(bytes: Uint8Array): string {
  return NodeBuffer
    ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')
    : decoder.decode(bytes);
}

/** The bytes of a string of code units below 256 (the ASCII of a JWS signing input). @internal */
export function latin1Bytes(text: string): Uint8Array {
  if (NodeBuffer) return NodeBuffer.from(text, 'latin1');
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Decodes base64 or base64url (either alphabet, padding optional) leniently like Node's decoder: the
 * callers check the alphabet and the decoded length themselves. Undefined when the fallback decoder
 * refuses the text.
 * @internal
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (NodeBuffer) return NodeBuffer.from(text, 'base64');
  let standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (standard.length % 4 === 1) return undefined;
  standard += '='.repeat((4 - (standard.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(standard);
  } catch {
    return undefined;
  }
  return latin1Bytes(binary);
}

/** `bytes` as base64 (with padding) or base64url (without). @internal */
export function encodeBase64(bytes: Uint8Array, alphabet: 'base64' | 'base64url'): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(alphabet);
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  const standard = btoa(binary);
  return alphabet === 'base64'
    ? standard
    : standard.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The chunks of a stream (or a message's fragments) as one array of bytes. @internal */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const chunk of chunks) size += chunk.byteLength;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads a byte stream to its end, or stops it (cancelled) as soon as more than `limit` bytes came, and
 * then answers undefined. A failing read rejects with the stream's error. @internal
 */
export async function readStreamCapped(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(chunks);
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
}

/** Compares two byte strings in time that depends only on their length. @internal */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
