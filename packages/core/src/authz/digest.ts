/**
 * A short FNV-1a digest of a text, for policy version tags (equal texts, equal tags). Not a security
 * boundary: it only tells configurations apart.
 * @internal
 */
export function shortDigest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
