import { isIPv6 } from 'node:net';

const IPV4 = /^(?:::ffff:)?(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/i;

/** The eight groups of an IPv6 address, with `::` filled in. */
function ipv6Groups(ip: string): string[] {
  const [head = '', tail] = ip.toLowerCase().split('::');
  const before = head === '' ? [] : head.split(':');
  if (tail === undefined) return before;
  const after = tail === '' ? [] : tail.split(':');
  return [...before, ...Array<string>(Math.max(0, 8 - before.length - after.length)).fill('0'), ...after];
}

/**
 * The network a client address belongs to, as one home, office or phone line has it: an
 * IPv4 /24 or an IPv6 /64. What a limit keyed on it holds back stays on that network.
 */
export function clientNetwork(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const v4 = IPV4.exec(ip);
  if (v4) return `${v4[1]}.0/24`;
  if (isIPv6(ip)) return `${ipv6Groups(ip).slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
  return ip;
}
