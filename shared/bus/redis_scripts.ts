// Lua run by the Redis bus. Each script is one round trip and atomic, which the plain
// commands cannot give: a read whose COUNT spans several streams (XREADGROUP's COUNT is per
// stream), and delivery counts returned with the entries (XREADGROUP and XAUTOCLAIM do not
// return them; XPENDING does).

export interface Script {
  name: string;
  source: string;
}

const script = (name: string, source: string): Script => ({ name, source });

/** Finds the `raw` field of an entry; entries trimmed away (nil fields) yield nil. */
const RAW_OF = `
local function raw_of(fields)
  if not fields then return nil end
  for f = 1, #fields, 2 do
    if fields[f] == 'raw' then return fields[f + 1] end
  end
  return nil
end
`;

/**
 * KEYS: stream keys in read order. ARGV: group, consumer, count, mode (">" new, "0" own
 * pending). Returns {deliveries, dropped, tails}: deliveries are {keyIndex, id, raw,
 * deliveryCount}; dropped are {keyIndex, {ids}} of pending entries with no data left (trimmed
 * away: acknowledged here, as XAUTOCLAIM does); tails (only when nothing new was found) are
 * each stream's last entry id, for a blocking XREAD that wakes on anything newer.
 */
export const READ_GROUP = script(
  "read_group",
  RAW_OF + `
local group, consumer, budget, mode = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local out, dropped, tails = {}, {}, {}
-- Scripts are not rolled back: fail (NOGROUP) before delivering anything from any stream.
for _, key in ipairs(KEYS) do redis.call('XPENDING', key, group) end
for i, key in ipairs(KEYS) do
  if budget <= 0 then break end
  local reply = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', budget,
    'STREAMS', key, mode)
  if reply then
    local gone = {}
    for _, e in ipairs(reply[1][2]) do
      local raw = raw_of(e[2])
      if raw == nil then
        gone[#gone + 1] = e[1]
      else
        local n = 1
        if mode ~= '>' then
          n = redis.call('XPENDING', key, group, e[1], e[1], 1, consumer)[1][4]
        end
        out[#out + 1] = {i, e[1], raw, n}
        budget = budget - 1
      end
    end
    if #gone > 0 then
      redis.call('XACK', key, group, unpack(gone))
      dropped[#dropped + 1] = {i, gone}
    end
  end
end
if #out == 0 and mode == '>' then
  for i, key in ipairs(KEYS) do
    local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
    if last[1] then tails[i] = last[1][1] else tails[i] = '0-0' end
  end
end
return {out, dropped, tails}
`,
);

/**
 * KEYS[1]: stream key. ARGV: group, consumer, minIdleMs, count. XAUTOCLAIM from the start of
 * the pending list until `count` entries are claimed or the list is exhausted. Returns
 * {claimed, dropped}: claimed are {id, raw, deliveryCount after the claim}.
 */
export const CLAIM_IDLE = script(
  "claim_idle",
  RAW_OF + `
local key, group, consumer, min_idle = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local budget = tonumber(ARGV[4])
local cursor, out, dropped = '0-0', {}, {}
repeat
  local r = redis.call('XAUTOCLAIM', key, group, consumer, min_idle, cursor, 'COUNT', budget)
  cursor = r[1]
  for _, e in ipairs(r[2]) do
    local raw = raw_of(e[2])
    if raw == nil then
      redis.call('XACK', key, group, e[1])
      dropped[#dropped + 1] = e[1]
    else
      local n = redis.call('XPENDING', key, group, e[1], e[1], 1, consumer)[1][4]
      out[#out + 1] = {e[1], raw, n}
      budget = budget - 1
    end
  end
  if r[3] then
    for _, id in ipairs(r[3]) do dropped[#dropped + 1] = id end
  end
until cursor == '0-0' or budget <= 0
return {out, dropped}
`,
);
