// The queue's connection: a redis:// URL (--redis, $GATYS_REDIS, or the local default) as BullMQ's
// connection options, the queue's name, and a wait for the server with a clear error when it is
// not there. Shared by submit, worker, status and the video flows.

import type { ConnectionOptions } from 'bullmq';
import { UsageError } from './errors.ts';

export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';
export const QUEUE_FLAGS = [
  { name: 'redis', kind: 'string' as const, value: 'URL', help: 'the Redis server', default: `$GATYS_REDIS, else ${DEFAULT_REDIS}` },
  { name: 'queue', kind: 'string' as const, value: 'NAME', help: 'the queue\'s name', default: 'gatys' },
];

/** A redis:// URL as BullMQ's connection options. */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--redis: '${url}' is not a URL like ${DEFAULT_REDIS}`);
  }
  if (u.protocol !== 'redis:') throw new UsageError(`--redis: expected a redis:// URL, got '${url}'`);
  return {
    host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), password: u.password || undefined, username: u.username || undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0, maxRetriesPerRequest: null,
    // Fail fast and clearly when nothing listens there, instead of retrying for ever.
    retryStrategy: (times: number) => (times > 3 ? null : 200 * times),
  };
}

export const queueOf = (v: Record<string, unknown>) => ({ connection: redisConnection((v.redis as string | undefined) ?? process.env.GATYS_REDIS ?? DEFAULT_REDIS), name: (v.queue as string | undefined) ?? 'gatys' });

/** Waits for the connection, with a clear error when Redis is not there. */
export async function connected(q: { waitUntilReady(): Promise<unknown> }, what: string): Promise<void> {
  const timeout = new Promise((_, fail) => setTimeout(() => fail(new Error('timed out')), 5000).unref());
  try {
    await Promise.race([q.waitUntilReady(), timeout]);
  } catch (e) {
    throw new UsageError(`cannot reach Redis at ${what}: ${(e as Error).message} (start one: redis-server, or give --redis URL)`);
  }
}
