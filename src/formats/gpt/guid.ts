// GUIDs as GPT stores them: the first three groups little-endian, the last
// two as bytes ("mixed-endian"), shown in the usual 8-4-4-4-12 upper-case form.

const GUID = /^([0-9A-F]{8})-([0-9A-F]{4})-([0-9A-F]{4})-([0-9A-F]{4})-([0-9A-F]{12})$/i;

const hexBytes = (s: string): number[] => s.match(/../g)!.map((b) => parseInt(b, 16));

/** The 16 stored bytes of a GUID string; throws RangeError on a malformed string (a programming error). */
export function guidBytes(guid: string): Uint8Array {
  const m = GUID.exec(guid);
  if (m === null) throw new RangeError(`not a GUID: ${JSON.stringify(guid)}`);
  const [, a, b, c, d, e] = m as unknown as [string, string, string, string, string, string];
  return Uint8Array.from([...hexBytes(a).reverse(), ...hexBytes(b).reverse(), ...hexBytes(c).reverse(), ...hexBytes(d), ...hexBytes(e)]);
}

/** The GUID string of 16 stored bytes. */
export function guidString(bytes: Uint8Array): string {
  const h = (from: number, to: number, reverse: boolean): string => {
    const part = [...bytes.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return [h(0, 4, true), h(4, 6, true), h(6, 8, true), h(8, 10, false), h(10, 16, false)].join('-').toUpperCase();
}

export const NULL_GUID = '00000000-0000-0000-0000-000000000000';

/**
 * A GUID made from 16 bytes of a hash: RFC 9562 version 8 (custom), so
 * that a disk built twice from the same inputs gets the same identifiers.
 */
export function guidFromHash(hash: Uint8Array): string {
  const b = hash.slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8, in the big-endian time_hi_and_version
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC variant
  // The bytes above are in RFC (big-endian) order; GPT stores the first three groups reversed.
  const s = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`.toUpperCase();
}
