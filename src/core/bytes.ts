/** UTF-8 byte length without TextEncoder (missing on old mini program base libraries). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

let counter = 0;
/** A short id, unique within this runtime and very likely across runtimes. No crypto needed. */
export function createId(prefix = ''): string {
  counter = (counter + 1) % 0x100000;
  return prefix + Date.now().toString(36) + counter.toString(36) + Math.random().toString(36).slice(2, 8);
}
