// base64url without padding (RFC 4648 §5), as JWTs and view tokens spell their parts.

/** @param {Uint8Array} bytes */
export function encodeBase64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The bytes `text` spells, or null when it is not canonical base64url: only the alphabet, no padding, and
 * unused trailing bits zero, so no two spellings of a token are both accepted.
 * @param {string} text
 */
export function decodeBase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return encodeBase64url(bytes) === text ? bytes : null;
}

/** The JSON value a base64url part spells (UTF-8), or undefined when it spells none. */
export function decodeJsonPart(text) {
  const bytes = decodeBase64url(text);
  if (bytes === null) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}
