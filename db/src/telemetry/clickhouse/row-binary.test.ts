import { describe, expect, it } from 'vitest';
import { RowBinaryWriter } from './row-binary.js';

/** Reads back what the writer wrote, as ClickHouse would (LEB128 lengths, little-endian numbers). */
function reader(bytes: Buffer) {
  let pos = 0;
  return {
    string(): string {
      let length = 0;
      let shift = 0;
      for (;;) {
        const byte = bytes[pos++]!;
        length += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (byte < 0x80) break;
      }
      const value = bytes.toString('utf8', pos, pos + length);
      pos += length;
      return value;
    },
    uint64(): number {
      const value = bytes.readUInt32LE(pos) + bytes.readUInt32LE(pos + 4) * 2 ** 32;
      pos += 8;
      return value;
    },
    float64(): number {
      const value = bytes.readDoubleLE(pos);
      pos += 8;
      return value;
    },
    uint8(): number {
      return bytes[pos++]!;
    },
    get left(): number {
      return bytes.length - pos;
    },
  };
}

describe('RowBinaryWriter', () => {
  it('writes strings whose UTF-8 length crosses the one-, two- and three-byte length prefixes', () => {
    // 42 three-byte chars = 126 bytes (short path); 43 = 129 bytes; 128 ASCII = the first two-byte prefix.
    const strings = ['', 'a', '日'.repeat(42), '日'.repeat(43), 'x'.repeat(127), 'x'.repeat(128), 'é🙂'.repeat(3000), 'z'.repeat(20_000)];
    const w = new RowBinaryWriter();
    for (const s of strings) w.string(s);
    const r = reader(Buffer.concat(w.end()));
    expect(strings.map(() => r.string())).toEqual(strings);
    expect(r.left).toBe(0);
  });

  it('writes UInt64 above 2^32, floats exactly and Nullable flags, across many buffers', () => {
    const w = new RowBinaryWriter();
    const chunks: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) {
      w.uint64(Number.MAX_SAFE_INTEGER - i);
      w.float64(i / 3);
      w.nullableString(i % 2 === 0 ? undefined : `row ${i}`);
      chunks.push(...w.take());
    }
    chunks.push(...w.end());
    expect(chunks.length).toBeGreaterThan(1);
    const r = reader(Buffer.concat(chunks));
    for (let i = 0; i < 10_000; i++) {
      expect(r.uint64()).toBe(Number.MAX_SAFE_INTEGER - i);
      expect(r.float64()).toBe(i / 3);
      if (i % 2 === 0) expect(r.uint8()).toBe(1);
      else expect([r.uint8(), r.string()]).toEqual([0, `row ${i}`]);
    }
    expect(r.left).toBe(0);
  });

  it('writes UInt16, UInt32 and UInt64 little-endian at their edges, as Buffer reads them back', () => {
    const w = new RowBinaryWriter();
    const u64 = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 52 + 3, Number.MAX_SAFE_INTEGER];
    w.uint16(0);
    w.uint16(0xffff);
    w.uint32(0);
    w.uint32(2 ** 32 - 1);
    for (const n of u64) w.uint64(n);
    const bytes = Buffer.concat(w.end());
    expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2), bytes.readUInt32LE(4), bytes.readUInt32LE(8)]).toEqual([0, 0xffff, 0, 2 ** 32 - 1]);
    const r = reader(bytes.subarray(12));
    expect(u64.map(() => r.uint64())).toEqual(u64);
    expect(r.left).toBe(0);
  });

  it('writes ASCII strings as string() does, and leaves non-ASCII ones to it with nothing written', () => {
    const ascii = ['', '/api/items/42', 'x'.repeat(127), 'x'.repeat(128), '~'.repeat(20_000)];
    const fast = new RowBinaryWriter();
    const slow = new RowBinaryWriter();
    for (const s of ascii) {
      expect(fast.ascii(s)).toBe(true);
      slow.string(s);
    }
    // Refused part-way (after the length prefix and some characters): what follows overwrites it.
    for (const s of ['caf\u00e9', '\u0080', `${'a'.repeat(200)}\u65e5`]) {
      expect(fast.ascii(s)).toBe(false);
      fast.string(s);
      slow.string(s);
    }
    const bytes = Buffer.concat(fast.end());
    expect(bytes.equals(Buffer.concat(slow.end()))).toBe(true);
    const r = reader(bytes);
    expect([...ascii, 'caf\u00e9', '\u0080', `${'a'.repeat(200)}\u65e5`].map(() => r.string())).toEqual([...ascii, 'café', '\u0080', `${'a'.repeat(200)}日`]);
  });
});
