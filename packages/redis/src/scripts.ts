/**
 * The Lua scripts that keep every change atomic on the Redis side: a revocation, its version bump and
 * its broadcast happen together or not at all, and a lease is read-and-charge in one step. Every key a
 * script touches is in KEYS and shares one slot (see `keys.ts`); everything else is in ARGV.
 */
import { createHash } from 'node:crypto';

/** A script with its SHA-1, so that it is sent in full only when Redis does not know it yet. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Heartbeat and change check. KEYS: epoch, version, instances. ARGV: instance id, now, stale after. */
export const POLL = script(`
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
return {redis.call('GET', KEYS[1]), tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('ZCARD', KEYS[3])}
`);

/** Every revocation, with the epoch and version it is as of. KEYS: epoch, version, rev, rev expiries. ARGV: now. */
export const SNAPSHOT = script(`
local old = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[1], 'LIMIT', 0, 1000)
if #old > 0 then
  redis.call('HDEL', KEYS[3], unpack(old))
  redis.call('ZREM', KEYS[4], unpack(old))
end
return {redis.call('GET', KEYS[1]), tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HVALS', KEYS[3])}
`);

/**
 * Stores a revocation, bumps the version and broadcasts it. Refuses (nil epoch) when Redis has no epoch:
 * it lost its data, and the caller must put back what it knows first.
 * KEYS: epoch, version, rev, rev expiries, tombstone. ARGV: id, json, expiresAt or '', channel, publish
 * command (PUBLISH, or SPUBLISH on a cluster).
 */
export const ADD = script(`
local e = redis.call('GET', KEYS[1])
if not e then return {false, 0} end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1]) end
redis.call('DEL', KEYS[5])
local v = redis.call('INCR', KEYS[2])
redis.call(ARGV[5], ARGV[4], '{"op":"add","e":' .. cjson.encode(e) .. ',"v":' .. v .. ',"rev":' .. ARGV[2] .. '}')
return {e, v}
`);

/**
 * Lifts a revocation: removes it, leaves a tombstone (so that an instance putting back what it knew
 * after a data loss does not bring it back), bumps the version and broadcasts. With force, broadcasts
 * even when Redis did not have it (an instance knew it from before a data loss).
 * KEYS: epoch, version, rev, rev expiries, tombstone. ARGV: id, force, tombstone ttl ms, channel, publish
 * command.
 */
export const LIFT = script(`
local e = redis.call('GET', KEYS[1])
if not e then return {false, 0, 0} end
local removed = redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
if removed == 0 and ARGV[2] ~= '1' then return {e, 0, 0} end
redis.call('SET', KEYS[5], '1', 'PX', ARGV[3])
local v = redis.call('INCR', KEYS[2])
redis.call(ARGV[5], ARGV[4], '{"op":"remove","e":' .. cjson.encode(e) .. ',"v":' .. v .. ',"id":' .. cjson.encode(ARGV[1]) .. '}')
return {e, v, 1}
`);

/**
 * After a data loss: sets a new epoch if none is set, and puts back the revocations an instance knows,
 * except those lifted since (tombstones) and those expired. Then tells every instance to resync.
 * KEYS: epoch, version, rev, rev expiries. ARGV: new epoch, channel, tombstone prefix, now, publish
 * command, then (id, json, expiresAt or '') triples. Tombstones share the keys' slot (`{rev}`).
 */
export const RESTORE = script(`
local e = redis.call('GET', KEYS[1])
if not e then
  redis.call('SET', KEYS[1], ARGV[1])
  e = ARGV[1]
end
local n = 0
for i = 6, #ARGV, 3 do
  local exp = ARGV[i + 2]
  if (exp == '' or tonumber(exp) > tonumber(ARGV[4])) and redis.call('EXISTS', ARGV[3] .. ARGV[i]) == 0 then
    if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
      if exp ~= '' then redis.call('ZADD', KEYS[4], exp, ARGV[i]) end
      n = n + 1
    end
  end
end
local v = redis.call('INCR', KEYS[2])
redis.call(ARGV[5], ARGV[2], '{"op":"sync","e":' .. cjson.encode(e) .. ',"v":' .. v .. '}')
return {e, v, n}
`);

/** Charges debt, then grants up to want of what is left. KEYS: counter. ARGV: limit, want, debt, ttl ms. */
export const LEASE = script(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0') + tonumber(ARGV[3])
local grant = math.max(0, math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) - used))
used = used + grant
redis.call('SET', KEYS[1], used, 'PX', ARGV[4])
return {grant, used}
`);

/** Adds to a counter that expires. KEYS: counter. ARGV: by, ttl ms. */
export const INCREMENT = script(`
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n
`);
