import { hash32 } from '../support/stable-hash.ts';

/**
 * Rendezvous (highest random weight) hashing: a key belongs to the member with the highest
 * weight for it. Every replica computes the same owner from the same member list, with no
 * coordination; when a member joins or leaves, only the keys it wins or held move, and the rest
 * stay where they are. Pure.
 */
export function ownerOf(key: string, members: readonly string[]): string | undefined {
  let owner: string | undefined;
  let best = -1;
  for (const member of members) {
    const weight = weightOf(member, key);
    // Ties (1 in 2^32) go to the smaller id, so every replica breaks them the same way.
    if (weight > best || (weight === best && owner !== undefined && member < owner)) {
      best = weight;
      owner = member;
    }
  }
  return owner;
}

/** FNV-1a of member and key, then murmur3's finaliser: FNV alone spreads similar ids poorly. */
function weightOf(member: string, key: string): number {
  let h = hash32(`${member}\u0000${key}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
