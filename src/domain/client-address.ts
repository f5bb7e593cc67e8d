import { isIPv6 } from 'node:net';

/** The eight 16-bit groups of a valid IPv6 address, `::` and a dotted IPv4 tail expanded. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}

/**
 * The address a per-IP throttle counts: IPv4 as it is (IPv4-mapped IPv6 too), IPv6 cut to
 * its first `prefixBits` bits, because one subscriber usually holds a whole /64 and could
 * otherwise take a fresh address for every request. Anything else is returned unchanged.
 */
export function throttledAddress(key: string, prefixBits: number): string {
  if (!isIPv6(key)) return key;
  const full = ipv6Groups(key);
  // ::ffff:a.b.c.d, however it is written (0:0:0:0:0:ffff:102:304…), is that IPv4 address.
  if (full.slice(0, 5).every((group) => group === 0) && full[5] === 0xffff) {
    return [full[6]! >> 8, full[6]! & 0xff, full[7]! >> 8, full[7]! & 0xff].join('.');
  }
  const groups = full.map((group, i) => {
    const kept = Math.min(16, Math.max(0, prefixBits - 16 * i));
    return kept === 0 ? 0 : group & (0xffff << (16 - kept)) & 0xffff;
  });
  return `${groups.map((group) => group.toString(16)).join(':')}/${prefixBits}`;
}

/**
 * The network a client address belongs to, as one home, office or phone line has it: an
 * IPv4 /24, or IPv6 cut as the per-IP throttles cut it. A limit keyed on it holds back
 * that network only.
 */
export function clientNetwork(ip: string | undefined, ipv6PrefixBits: number): string {
  if (!ip) return 'unknown';
  const address = throttledAddress(ip, ipv6PrefixBits);
  const v4 = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/.exec(address);
  return v4 ? `${v4[1]}.0/24` : address;
}
