import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LANES } from '../platform/lanes';
import { CONSUMER_STAGES, consumerGroups } from './consumer-groups';

/** Every stage named in a runtime.groupId(...) call of the roles that consume, `${lane}` expanded. */
function stagesInRoles(): string[] {
  const stages = new Set<string>();
  for (const role of ['processors', 'senders', 'analytics']) {
    const source = readFileSync(path.join(__dirname, 'roles', `${role}.ts`), 'utf8');
    for (const match of source.matchAll(/groupId\(\s*['`]([^'`]+)['`]\s*\)/g)) {
      const stage = match[1] as string;
      for (const lane of LANES) stages.add(stage.replace('${lane}', lane));
    }
  }
  return [...stages].sort();
}

describe('consumer groups of the overview', () => {
  it('names exactly the groups the roles run', () => {
    expect(Object.keys(CONSUMER_STAGES).sort()).toEqual(stagesInRoles());
  });

  it('prefixes each with the deployment\'s group prefix', () => {
    const groups = consumerGroups((stage) => `acme-${stage}`);
    expect(groups).toContainEqual({ groupId: 'acme-analytics', topics: ['deliveries.status', 'deliveries.status-pages'] });
    expect(groups).toContainEqual({ groupId: 'acme-senders-bulk', topics: ['deliveries.bulk-pages', 'deliveries.bulk', 'deliveries.retry'] });
  });
});
