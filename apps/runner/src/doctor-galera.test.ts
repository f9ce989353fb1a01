import type { GaleraNodeProbe } from '@stampede/store';
import { describe, expect, it } from 'vitest';
import { galeraChecks } from './doctor-galera.js';

const node = (port: number, over: Partial<GaleraNodeProbe> = {}): GaleraNodeProbe => ({
  host: '10.0.0.1',
  port,
  wsrepOn: true,
  clusterSize: 3,
  component: 'Primary',
  state: 'Synced',
  ready: true,
  clusterName: 'c',
  providerVersion: '26.4.23',
  flowControlPaused: 0,
  syncWait: 0,
  maxWsRows: 0,
  maxWsSize: 2147483647,
  ...over,
});
const line = (probes: GaleraNodeProbe[], name: string) => galeraChecks(probes).find((c) => c.name === name);

describe('galeraChecks', () => {
  it('says nothing for one plain server, and warns when a host list is not a cluster', () => {
    expect(galeraChecks([node(1, { wsrepOn: false })])).toEqual([]);
    expect(galeraChecks([node(1, { wsrepOn: false }), node(2, { wsrepOn: false })])).toEqual([
      expect.objectContaining({ name: 'galera', status: 'warn', detail: expect.stringMatching(/wsrep_on is OFF/) }),
    ]);
  });

  it('fails every node when none answers', () => {
    const checks = galeraChecks([node(1, { error: 'Connection refused' }), node(2, { error: 'Connection refused' })]);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['galera.node 10.0.0.1:1', 'fail'],
      ['galera.node 10.0.0.1:2', 'fail'],
    ]);
  });

  it('warns of a joining node, a donor, and a cluster larger than the URL', () => {
    const probes = [node(1), node(2, { state: 'Joined' }), node(3, { state: 'Donor/Desynced' })];
    expect(line(probes, 'galera.node 10.0.0.1:2')).toMatchObject({
      status: 'warn',
      hint: expect.stringMatching(/Synced/),
    });
    expect(line(probes, 'galera.node 10.0.0.1:3')).toMatchObject({
      status: 'warn',
      hint: expect.stringMatching(/state transfer/),
    });
    expect(line([node(1), node(2)], 'galera.cluster_size')).toMatchObject({
      status: 'warn',
      detail: '3 nodes in the Primary Component; the URL lists 2',
      hint: expect.stringMatching(/list every node/),
    });
  });

  it('warns when flow control paused replication, naming the node', () => {
    expect(line([node(1), node(2, { flowControlPaused: 0.25 })], 'galera.flow_control')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^replication paused 25\.0% of the time at 10\.0\.0\.1:2/),
    });
  });

  it('reads wsrep_sync_wait as a bit mask and checks the limits of the strictest node', () => {
    expect(line([node(1, { syncWait: 3 })], 'galera.wsrep_sync_wait')?.detail).toMatch(/^3: every read waits/);
    expect(line([node(1, { maxWsRows: 1000 }), node(2)], 'galera.write_set_limits')).toMatchObject({ status: 'fail' });
    expect(line([node(1, { maxWsRows: 1001 }), node(2)], 'galera.write_set_limits')).toMatchObject({ status: 'ok' });
    expect(line([node(1), node(2, { maxWsSize: 1024 * 1024 })], 'galera.write_set_limits')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/too small/),
    });
  });
});
