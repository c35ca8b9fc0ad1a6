/**
 * What the provision test files share: a moto_server of their own, a temporary directory holding the
 * operator's public key, and EC2/ELBv2 clients to that server that record every command they send.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Test } from 'uvu';
import { onCommand } from '../../lib/aws/clients.ts';
import { ed25519PublicKey } from './aws-test-key.ts';
import { beforeAll } from './before-all.ts';
import { startMoto, type MotoServer } from './moto.ts';

export interface ProvisionBed {
  moto: MotoServer;
  /** Temporary; holds id_ed25519.pub (comment op@laptop). */
  dir: string;
  ec2: EC2Client;
  elb: ElasticLoadBalancingV2Client;
  /** Names of the commands both clients sent, in order; a test empties it with `sent.length = 0`. */
  readonly sent: string[];
}

/**
 * Registers the suite's hooks on `test`: the bed is set up before the first test and stopped and
 * removed after the last. The returned bed is filled in by the before hook; use it inside tests.
 * A failed set-up, moto_server missing included, fails every test with its message (see beforeAll).
 */
export function useProvisionBed(test: Test, region: string, dirPrefix: string): ProvisionBed {
  const bed = { sent: [] as string[] } as ProvisionBed;
  beforeAll(test, async () => {
    bed.moto = await startMoto(region);
    bed.dir = mkdtempSync(join(tmpdir(), dirPrefix));
    writeFileSync(join(bed.dir, 'id_ed25519.pub'), `${ed25519PublicKey('op@laptop')}\n`);
    const config = { region, endpoint: bed.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    bed.ec2 = new EC2Client(config);
    bed.elb = new ElasticLoadBalancingV2Client(config);
    onCommand(bed.ec2, (name) => bed.sent.push(name));
    onCommand(bed.elb, (name) => bed.sent.push(name));
  });
  test.after(async () => {
    bed.ec2?.destroy();
    bed.elb?.destroy();
    await bed.moto?.stop();
    if (bed.dir) rmSync(bed.dir, { recursive: true, force: true });
  });
  return bed;
}
