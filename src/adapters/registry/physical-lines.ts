const LF = 0x0a;
const CR = 0x0d;
const NOTHING = Buffer.alloc(0);

/** One line of a file without its line break; `line` counts from 1. */
export type PhysicalLine = { line: number; bytes: Buffer } | { line: number; tooLong: true };

function withoutCr(bytes: Buffer): Buffer {
  return bytes.at(-1) === CR ? bytes.subarray(0, -1) : bytes;
}

/**
 * Splits a byte stream at LF (CRLF too). The line is split as bytes, before decoding, so a
 * character cut between two chunks is whole again. A line longer than `maxBytes` comes out
 * as `tooLong` and its bytes are dropped as they arrive: memory stays bounded whatever the input.
 */
export async function* physicalLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<PhysicalLine> {
  let line = 0;
  let carry = NOTHING;
  let dropping = false;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let end = bytes.indexOf(LF); end >= 0; end = bytes.indexOf(LF, start)) {
      line++;
      const tail = bytes.subarray(start, end);
      start = end + 1;
      const tooLong = dropping || carry.length + tail.length > maxBytes;
      yield tooLong ? { line, tooLong } : { line, bytes: withoutCr(carry.length > 0 ? Buffer.concat([carry, tail]) : tail) };
      carry = NOTHING;
      dropping = false;
    }
    const rest = bytes.subarray(start);
    dropping ||= carry.length + rest.length > maxBytes;
    carry = dropping ? NOTHING : Buffer.concat([carry, rest]);
  }
  if (dropping) yield { line: line + 1, tooLong: true };
  else if (carry.length > 0) yield { line: line + 1, bytes: withoutCr(carry) };
}
