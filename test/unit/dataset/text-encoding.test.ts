// The UTF-8 check on an example file's first bytes, against files written by Node's own encoders.
import { expect, test } from 'vitest';
import { encodingProblem } from '../../../src/dataset/text-encoding';

const line = '{"instruction":"翻译：你好","output":"Hello 🐳"}\r\n';
const bytes = (buffer: Buffer) => new Uint8Array(buffer);

test.each([
  ['UTF-8', bytes(Buffer.from(line.repeat(3)))],
  ['UTF-8 with a byte order mark', bytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(line)]))],
  ['an empty file', new Uint8Array(0)],
  // The sniffed prefix may end inside a character: 你 is 3 bytes, cut after its first 2.
  ['UTF-8 cut inside a character', bytes(Buffer.from('ab你').subarray(0, 4))],
])('%s reads as text', (_, input) => {
  expect(encodingProblem(input)).toBeNull();
});

test.each([
  ['UTF-16 LE with a byte order mark', bytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(line, 'utf16le')])), 'utf16'],
  ['UTF-16 BE with a byte order mark', bytes(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(line, 'utf16le').swap16()])), 'utf16'],
  ['UTF-16 LE without one', bytes(Buffer.from(line, 'utf16le')), 'utf16'],
  ['a PNG', bytes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d])), 'binary'],
  ['Latin-1 text', bytes(Buffer.from('{"instruction":"café","output":"naïve"}', 'latin1')), 'invalid-utf8'],
])('%s is refused as %s', (_, input, problem) => {
  expect(encodingProblem(input)).toBe(problem);
});
