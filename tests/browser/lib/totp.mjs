// RFC 6238 codes (SHA-1, 6 digits, 30 s), as an officer's authenticator app
// computes them, with Node's own crypto.

import { createHmac } from 'node:crypto';

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code for time step `step` (seconds since the epoch / 30). */
export function totpCode(secretBase32, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

export const currentStep = () => Math.floor(Date.now() / 1000 / 30);

/**
 * An authenticator for one account: remembers the secret once enrolled and
 * never offers the same code twice (the server accepts each code once).
 */
export class Authenticator {
  constructor() {
    this.secret = null;
    this.lastStep = -1;
  }

  async nextCode() {
    let step = currentStep();
    if (step <= this.lastStep) {
      // One step of clock drift is accepted; beyond that, wait for the next code.
      step = this.lastStep + 1;
      while (step > currentStep() + 1) await new Promise((r) => setTimeout(r, 250));
    }
    this.lastStep = step;
    return totpCode(this.secret, step);
  }
}
