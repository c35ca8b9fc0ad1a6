/** A parsed IPv4 CIDR block: its network address, prefix length, and canonical text. */
export interface Ipv4Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly text: string;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * Parse "a.b.c.d/n". Returns null for anything that is not an IPv4 CIDR, or whose host bits are
 * set ("10.0.0.1/24" is ambiguous: the caller is told to write 10.0.0.0/24 or 10.0.0.1/32).
 */
export function parseIpv4Cidr(text: string): Ipv4Cidr | { error: string } {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  if (!match) return { error: `"${text}" is not an IPv4 CIDR (expected a.b.c.d/n, e.g. 203.0.113.7/32)` };
  const [, address = '', prefixText = ''] = match;
  const octets = address.split('.');
  if (octets.length !== 4 || !octets.every((o) => OCTET.test(o))) {
    return { error: `"${text}": "${address}" is not an IPv4 address` };
  }
  const prefix = Number(prefixText);
  if (prefix > 32) return { error: `"${text}": prefix length ${prefix} is over 32` };
  const value = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
  const hostBits = 2 ** (32 - prefix);
  if (value % hostBits !== 0) {
    const network = dottedQuad(value - (value % hostBits));
    return { error: `"${text}" has host bits set: write ${network}/${prefix}, or ${address}/32 for the single address` };
  }
  return { address, prefix, text: `${address}/${prefix}` };
}

export function isAnywhere(cidr: Ipv4Cidr): boolean {
  return cidr.prefix === 0;
}

function dottedQuad(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
