// deploy/k8s/: the manifests parse and agree with each other, and the
// containers' commands, run here for each JOB_COMPLETION_INDEX as the Indexed
// Job would run them (the volume's mount path mapped to a folder, `flipcert`
// to the bundled CLI), give the single-machine result once merged.
// No container engine here: the Dockerfile itself is not built.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dump } from 'npyjs';
import { parseAllDocuments } from 'yaml';
import { clusters } from './support/clusters.js';

const run = promisify(execFile);

interface Container {
  image: string;
  command: string[];
  args: string[];
  env?: { name: string; value: string }[];
  volumeMounts: { name: string; mountPath: string }[];
}
interface JobManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions: number;
    parallelism?: number;
    template: { spec: { restartPolicy: string; containers: Container[]; volumes: { name: string; persistentVolumeClaim: { claimName: string } }[] } };
  };
}

function manifests(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(join('deploy/k8s', file), 'utf8'));
  for (const doc of docs) expect(doc.errors, file).toEqual([]);
  return docs.map((doc) => doc.toJS());
}

/** Runs a container's `sh -c` command here, as its pod would, with `data` in place of the volume. */
async function runContainer(container: Container, data: string, bin: string, extraEnv: Record<string, string> = {}) {
  expect(container.command).toEqual(['sh', '-c']);
  const mount = container.volumeMounts[0].mountPath;
  const script = container.args[0].replaceAll(mount, data);
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
  return run('sh', ['-c', script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env, ...extraEnv }, maxBuffer: 1 << 26 });
}

describe('deploy/k8s recipe', () => {
  const [claim] = manifests('data-volume.yaml') as { kind: string; metadata: { name: string } }[];
  const [shards] = manifests('flipcert-shards.yaml') as JobManifest[];
  const [merge] = manifests('flipcert-merge.yaml') as JobManifest[];

  it('is an Indexed Job and a merge Job on one volume and one image', () => {
    expect(claim.kind).toBe('PersistentVolumeClaim');
    for (const job of [shards, merge]) {
      expect([job.apiVersion, job.kind]).toEqual(['batch/v1', 'Job']);
      const pod = job.spec.template.spec;
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.volumes.map((v) => v.persistentVolumeClaim.claimName)).toEqual([claim.metadata.name]);
      expect(pod.containers[0].volumeMounts.map((m) => m.name)).toEqual(pod.volumes.map((v) => v.name));
    }
    expect(shards.spec.completionMode).toBe('Indexed');
    const container = shards.spec.template.spec.containers[0];
    const count = container.env!.find((e) => e.name === 'FLIPCERT_SHARD_COUNT')!.value;
    expect(Number(count)).toBe(shards.spec.completions);
    expect(shards.spec.parallelism).toBeLessThanOrEqual(shards.spec.completions);
    expect(merge.spec.template.spec.containers[0].image).toBe(container.image);
    const dockerfile = readFileSync('deploy/k8s/Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^FROM node:\d+-bookworm-slim\b/m);
  });

  it('runs each index and the merge to the single-machine result', async () => {
    const data = mkdtempSync(join(tmpdir(), 'flipcert-k8s-'));
    // `flipcert` on the PATH, as installed in the image.
    const bin = join(data, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'flipcert'), `#!/bin/sh\nexec node ${JSON.stringify(resolve('dist/cli.js'))} "$@"\n`);
    chmodSync(join(bin, 'flipcert'), 0o755);
    // A small 3-class problem under the file names the manifests read.
    const d = 6;
    const { train, test } = clusters(21, 240, 25, 3, d, 1);
    writeFileSync(join(data, 'train-x.npy'), new Uint8Array(dump(Float64Array.from(train.x.flat()), [240, d])));
    writeFileSync(join(data, 'train-y.npy'), new Uint8Array(dump(Int32Array.from(train.y), [240])));
    writeFileSync(join(data, 'test-x.npy'), new Uint8Array(dump(Float64Array.from(test.x.flat()), [25, d])));
    writeFileSync(join(data, 'test-y.npy'), new Uint8Array(dump(Int32Array.from(test.y), [25])));

    const shardContainer = shards.spec.template.spec.containers[0];
    for (let index = 0; index < shards.spec.completions; index++) {
      await runContainer(shardContainer, data, bin, { JOB_COMPLETION_INDEX: String(index) });
    }
    expect(readdirSync(join(data, 'shards')).sort()).toEqual(Array.from({ length: shards.spec.completions }, (_, i) => `shard-${i}.fcshard`));
    await runContainer(merge.spec.template.spec.containers[0], data, bin);

    // The same run on one machine: the shard command without its shard flags.
    const single = shardContainer.args[0]
      .replace(/^.*exec flipcert certify/s, 'flipcert certify')
      .replace(/--shard auto --resume --out \S+/, `--out ${join(data, 'single.json')} --quiet`)
      .replaceAll(shardContainer.volumeMounts[0].mountPath, data);
    await run('sh', ['-c', single], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    const strip = (file: string) => {
      const result = JSON.parse(readFileSync(join(data, file), 'utf8'));
      delete result.summary.seconds;
      delete result.summary.threads;
      return result;
    };
    const expected = strip('single.json');
    expect(expected.summary.partitions).toBe(20);
    expect(strip('result.json')).toEqual(expected);
    expect(readFileSync(join(data, 'curve.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });
});
