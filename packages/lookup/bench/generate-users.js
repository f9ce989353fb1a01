// A small deterministic user generator for the benchmark table (no faker: the bench measures
// lookups, not names). Same id → same user, on every run and machine.
import { DEPARTMENTS } from '@stampede/schema';

const FIRST = ['Ada', 'Grace', 'Linus', 'Zoë', 'Łukasz', 'Hiroshi', 'Amélie', 'Chidi', 'Sofía', 'Nguyễn'];
const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Müller', 'Kowalski', '佐藤', 'Dubois', 'Okafor', 'García', 'Trần'];
const CITY = ['London', 'München', 'Kraków', 'Tōkyō', 'Paris', 'Lagos', 'Sevilla', 'Hà Nội'];

/** A 32-bit mix of the id, so departments and names do not follow id order. */
export function mix(id) {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The user with this id. */
export function benchUser(id) {
  const h = mix(id);
  const username = `${FIRST[h % 10].toLowerCase().replace(/[^a-z]/g, 'x')}.${id.toString(36)}`;
  return {
    id,
    username,
    email: `${username}@example.com`,
    firstName: FIRST[h % 10],
    lastName: LAST[(h >>> 4) % 10],
    department: DEPARTMENTS[(h >>> 8) % DEPARTMENTS.length],
    jobTitle: 'Analyst',
    birthDate: `19${50 + ((h >>> 12) % 50)}-0${1 + ((h >>> 16) % 9)}-1${(h >>> 20) % 10}`,
    city: CITY[(h >>> 24) % CITY.length],
    country: 'Somewhere',
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

/** A deterministic pseudo-random sequence (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
