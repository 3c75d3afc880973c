// A ZIP archive reader (enough for PyTorch's torch.save files): the central directory, local
// headers, stored and deflated entries, ZIP64 sizes. Every offset and size is checked against the
// file before use, so a truncated or corrupt archive gives a clear error, never a crash or an
// allocation sized by the file's claims.

export class ZipError extends Error {
  override name = 'ZipError';
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipArchive {
  source: string;
  entries: Map<string, ZipEntry>;
  /** The entry's bytes (a view for stored entries). */
  read(name: string): Uint8Array;
}

/** Decompressed entries above this size are refused (a bound on allocation). */
const MAX_ENTRY_BYTES = 4 * 2 ** 30;

export function openZip(bytes: Uint8Array, source = '(buffer)', inflateRaw?: (data: Uint8Array, maxOutput: number) => Uint8Array): ZipArchive {
  const fail = (what: string): never => {
    throw new ZipError(`${source}: not a valid ZIP archive: ${what}`);
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => (o + 2 <= bytes.length ? dv.getUint16(o, true) : fail(`read past the end at ${o}`));
  const u32 = (o: number) => (o + 4 <= bytes.length ? dv.getUint32(o, true) : fail(`read past the end at ${o}`));
  const u64 = (o: number) => {
    if (o + 8 > bytes.length) fail(`read past the end at ${o}`);
    const v = dv.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`a 64-bit size ${v} is too large`);
    return Number(v);
  };

  // End of central directory: within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 65535); o--) {
    if (dv.getUint32(o, true) === 0x06054b50) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record (truncated?)');
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  // ZIP64 end of central directory, located through its locator just before the EOCD.
  if ((count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) && eocd >= 20 && u32(eocd - 20) === 0x07064b50) {
    const z64 = u64(eocd - 20 + 8);
    if (u32(z64) !== 0x06064b50) fail('bad ZIP64 end-of-central-directory record');
    count = u64(z64 + 32);
    cdSize = u64(z64 + 40);
    cdOffset = u64(z64 + 48);
  }
  if (cdOffset + cdSize > bytes.length) fail(`central directory [${cdOffset}, ${cdOffset + cdSize}) lies outside the file (${bytes.length} bytes)`);
  if (count > cdSize / 46) fail(`${count} entries cannot fit a ${cdSize}-byte central directory`);

  const entries = new Map<string, ZipEntry>();
  let o = cdOffset;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (u32(o) !== 0x02014b50) fail(`central directory entry ${i} has a bad signature`);
    const method = u16(o + 10);
    let compressedSize = u32(o + 20);
    let size = u32(o + 24);
    const nameLen = u16(o + 28);
    const extraLen = u16(o + 30);
    const commentLen = u16(o + 32);
    let localHeaderOffset = u32(o + 42);
    if (o + 46 + nameLen + extraLen + commentLen > cdOffset + cdSize) fail(`central directory entry ${i} runs past the directory`);
    const name = decoder.decode(bytes.subarray(o + 46, o + 46 + nameLen));
    // ZIP64 extra field: replaces the 0xffffffff fields, in order.
    let e = o + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = u16(e);
      const len = u16(e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        if (size === 0xffffffff) (size = u64(f)), (f += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(f)), (f += 8);
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(f);
      }
      e += 4 + len;
    }
    if (entries.has(name)) fail(`entry '${name}' appears twice`);
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    o += 46 + nameLen + extraLen + commentLen;
  }

  return {
    source,
    entries,
    read(name: string): Uint8Array {
      const entry = entries.get(name);
      if (!entry) throw new ZipError(`${source}: no entry '${name}' in the archive`);
      const h = entry.localHeaderOffset;
      if (u32(h) !== 0x04034b50) fail(`entry '${name}' has a bad local header`);
      const start = h + 30 + u16(h + 26) + u16(h + 28);
      const end = start + entry.compressedSize;
      if (end > bytes.length) fail(`entry '${name}' data [${start}, ${end}) runs past the end of the file (${bytes.length} bytes): truncated?`);
      const raw = bytes.subarray(start, end);
      if (entry.method === 0) {
        if (entry.size !== entry.compressedSize) fail(`stored entry '${name}' has differing sizes`);
        return raw;
      }
      if (entry.method === 8) {
        if (!inflateRaw) fail(`entry '${name}' is deflated and no inflater was given`);
        if (entry.size > MAX_ENTRY_BYTES) fail(`entry '${name}' claims ${entry.size} bytes uncompressed`);
        let out: Uint8Array;
        try {
          out = inflateRaw!(raw, entry.size);
        } catch (err) {
          return fail(`entry '${name}' does not inflate: ${(err as Error).message}`);
        }
        if (out.length !== entry.size) fail(`entry '${name}' inflates to ${out.length} bytes, not the ${entry.size} declared`);
        return out;
      }
      return fail(`entry '${name}' uses compression method ${entry.method} (only stored and deflate are supported)`);
    },
  };
}
