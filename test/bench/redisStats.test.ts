import { describe, expect, it } from 'vitest';
import { parseCommandStats, parseRedisCpu, perSetup, showCounts } from '../../bench/server/redisStats';

const INFO = (xadd: number, evalsha: number) =>
  `# Commandstats\r\ncmdstat_xadd:calls=${xadd},usec=10,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n` +
  `cmdstat_evalsha:calls=${evalsha},usec=90,usec_per_call=9.00,rejected_calls=0,failed_calls=0\r\n` +
  'cmdstat_config|get:calls=2,usec=4,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\ncmdstat_info:calls=7,usec=1,usec_per_call=0.1,rejected_calls=0,failed_calls=0\r\n';

describe("bench:server's Redis commands by name", () => {
  it('reads INFO commandstats, divides what ran between two reads by the setups, and lists the most frequent first without INFO', () => {
    const before = parseCommandStats(INFO(10, 5));
    expect(before).toEqual({ xadd: 10, evalsha: 5, 'config|get': 2, info: 7 });
    const after = parseCommandStats(INFO(40, 65));
    const per = perSetup(before, { ...after, info: 9, publish: 3 }, 10);
    expect(per).toEqual({ xadd: 3, evalsha: 6, info: 0.2, publish: 0.3 });
    expect(showCounts(per)).toBe('evalsha 6.00, xadd 3.00, publish 0.30');
    expect(perSetup(before, after, 0)).toEqual({ xadd: 30, evalsha: 60 });
  });

  it("reads Redis's CPU from INFO cpu, its main process's user and system time, in µs", () => {
    expect(parseRedisCpu('# CPU\r\nused_cpu_sys:1.250000\r\nused_cpu_user:2.500001\r\nused_cpu_sys_children:9.000000\r\nused_cpu_user_children:9.000000\r\n')).toBe(3_750_001);
  });
});
