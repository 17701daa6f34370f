// Whether a file's first bytes are UTF-8 text at all. Example files are UTF-8 (JSON Lines are);
// UTF-16 (as Windows editors save "Unicode") and binary files are refused as a whole, by name,
// instead of turning into one unreadable-line issue per line.

export type EncodingProblem = 'utf16' | 'binary' | 'invalid-utf8';

/** How many leading bytes the check looks at: enough to tell, without reading a large file. */
export const ENCODING_SNIFF_BYTES = 64 * 1024;

/** The problem with these leading bytes of a file, or null when they read as UTF-8 text. */
export function encodingProblem(first: Uint8Array): EncodingProblem | null {
  const utf16Bom = (first[0] === 0xff && first[1] === 0xfe) || (first[0] === 0xfe && first[1] === 0xff);
  if (utf16Bom || looksLikeUtf16(first)) return 'utf16';
  if (first.includes(0)) return 'binary';
  if (!isUtf8Prefix(first)) return 'invalid-utf8';
  return null;
}

/** ASCII written as UTF-16 alternates a zero byte with a non-zero one (JSON starts in ASCII). */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const pairs = Math.min(16, Math.floor(bytes.length / 2));
  if (pairs < 2) return false;
  const alternates = (zeroAt: 0 | 1) => {
    for (let i = 0; i < pairs; i++) {
      if (bytes[2 * i + zeroAt] !== 0 || bytes[2 * i + 1 - zeroAt] === 0) return false;
    }
    return true;
  };
  return alternates(0) || alternates(1);
}

/** Valid UTF-8, allowing the prefix to end inside a multi-byte character. */
function isUtf8Prefix(bytes: Uint8Array): boolean {
  let end = bytes.length;
  // Back off at most 3 bytes of a character cut by the prefix.
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back]!;
    if ((byte & 0xc0) !== 0x80) {
      if (byte >= 0xc0) end -= back;
      break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}
