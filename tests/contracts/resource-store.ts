/**
 * The contract every ResourceStore keeps, as one suite that runs against the in-memory doubles
 * (tests/doubles/memory-store.test.ts, unit tier) and the Kafka + Redis stores
 * (tests/integration/resource-store-contract.test.ts). A double that answers differently from the
 * real thing fails here, not in some later test that trusted it.
 */
import { etagOf } from '../../platform/stores/etag';
import type { ResourceStore } from '../../platform/stores/ports';
import type { Client, Mailing } from '../../schemas/types';
import { clientRecord, listingPages, mailingRecord } from '../support/records';

/** What a run of the suite needs: fresh stores, and a way to start a mailing's run as the fan-out does. */
export interface ContractStores {
  clients: ResourceStore<Client>;
  mailings: ResourceStore<Mailing>;
  /** Records that the pipeline started this mailing (its shown status becomes `running`). */
  startRun(mailingId: string): Promise<void>;
}

const client = clientRecord;
const mailing = (id: string, patch: Partial<Mailing> = {}): Mailing => mailingRecord(id, { priority: 'bulk', ...patch });
const pagesOf = listingPages;

/**
 * Registers the suite. `stores` is called once per run; `ns` makes ids unique per run, so the real
 * stores can share a view with other tests.
 */
export function describeResourceStoreContract(name: string, stores: () => ContractStores, ns: () => string): void {
  describe(`ResourceStore contract: ${name}`, () => {
    const id = (suffix: string) => `${ns()}-${suffix}`;

    it('get returns what put stored, and null for an id never stored', async () => {
      const { clients } = stores();
      const value = client(id('get'), { tags: [id('t-get')], name: 'Anna' });
      await clients.put(value);
      expect(await clients.get(value.id)).toEqual(value);
      expect(await clients.get(id('never'))).toBeNull();
    });

    it('lists a filter in id order across pages: every match once, no gaps, the last page has no cursor', async () => {
      const { clients } = stores();
      const tag = id('t-page');
      const ids = [5, 0, 3, 6, 1, 4, 2].map((n) => id(`p${n}`));
      for (const value of ids) await clients.put(client(value, { tags: [tag] }));
      await clients.put(client(id('decoy'), { tags: [id('t-other')] }));
      expect(await pagesOf(clients, { tag }, 3)).toEqual([[...ids].sort().slice(0, 3), [...ids].sort().slice(3, 6), [...ids].sort().slice(6)]);
    });

    it('filters clients by tag and operator code together', async () => {
      const { clients } = stores();
      const tag = id('t-both');
      await clients.put(client(id('both'), { tags: [tag], operatorCode: '777', phone: '77770000000' }));
      await clients.put(client(id('tag-only'), { tags: [tag], operatorCode: '900' }));
      expect(await pagesOf(clients, { tag, operatorCode: '777' }, 10)).toEqual([[id('both')]]);
    });

    it('an update moves a client between tag listings', async () => {
      const { clients } = stores();
      const [from, to] = [id('t-from'), id('t-to')];
      const value = client(id('moves'), { tags: [from] });
      await clients.put(value);
      await clients.put({ ...value, tags: [to] });
      expect(await pagesOf(clients, { tag: from }, 10)).toEqual([[]]);
      expect(await pagesOf(clients, { tag: to }, 10)).toEqual([[value.id]]);
    });

    it('remove answers whether it existed, and a removed item is neither got nor listed', async () => {
      const { clients } = stores();
      const tag = id('t-rm');
      await clients.put(client(id('rm'), { tags: [tag] }));
      expect(await clients.remove(id('rm'))).toBe(true);
      expect(await clients.get(id('rm'))).toBeNull();
      expect(await pagesOf(clients, { tag }, 10)).toEqual([[]]);
      expect(await clients.remove(id('rm-never'))).toBe(false);
    });

    it('filters mailings by the status they show: the run\'s once the pipeline started them, a cancellation over it', async () => {
      const { mailings, startRun } = stores();
      const scheduled = mailing(id('m-sched'));
      const running = mailing(id('m-run'));
      const cancelled = mailing(id('m-cancel'), { status: 'cancelled' });
      for (const value of [scheduled, running, cancelled]) await mailings.put(value);
      await startRun(running.id);
      await startRun(cancelled.id);
      const mine = (ids: string[][]) => ids.flat().filter((value) => value.startsWith(ns()));
      expect(mine(await pagesOf(mailings, { status: 'running' }, 50))).toEqual([running.id]);
      expect(mine(await pagesOf(mailings, { status: 'scheduled' }, 50))).toEqual([scheduled.id]);
      expect(mine(await pagesOf(mailings, { status: 'cancelled' }, 50))).toEqual([cancelled.id]);
      expect((await mailings.get(running.id))?.status).toBe('running');
    });

    it('update changes the current value and answers it with its etag; undefined writes nothing', async () => {
      const { clients } = stores();
      const value = client(id('upd'), { name: 'Anna' });
      await clients.put(value);
      const updated = await clients.update(value.id, (current) => (current ? { ...current, name: 'Anya' } : undefined));
      expect(updated).toEqual({ value: { ...value, name: 'Anya' }, etag: etagOf({ ...value, name: 'Anya' }), written: true });
      expect(await clients.get(value.id)).toEqual(updated.value);
      const unchanged = await clients.update(value.id, () => undefined);
      expect(unchanged).toEqual({ ...updated, written: false });
      expect(await clients.update(id('upd-never'), () => undefined)).toEqual({ value: null, etag: null, written: false });
    });

    it('If-Match: the current etag writes; a stale one (or any on an absent item) fails PRECONDITION_FAILED and writes nothing', async () => {
      const { clients } = stores();
      const value = client(id('cas'), { name: 'Anna' });
      await clients.put(value);
      const seen = etagOf((await clients.get(value.id))!);
      const first = await clients.update(value.id, (current) => current && { ...current, name: 'B' }, { ifMatch: seen });
      expect(first.written).toBe(true);
      await expect(clients.update(value.id, (current) => current && { ...current, name: 'C' }, { ifMatch: seen }))
        .rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      await expect(clients.remove(value.id, { ifMatch: seen })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      expect((await clients.get(value.id))?.name).toBe('B');
      await expect(clients.update(id('cas-never'), () => client(id('cas-never')), { ifMatch: '*' }))
        .rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      expect(await clients.remove(value.id, { ifMatch: first.etag! })).toBe(true);
    });

    it('concurrent updates of one item each see the others\' writes: no update is lost', async () => {
      const { clients } = stores();
      const value = client(id('race'), { tags: [] });
      await clients.put(value);
      const tags = Array.from({ length: 8 }, (_unused, i) => `t${i}`);
      await Promise.all(tags.map((tag) => clients.update(value.id, (current) => current && { ...current, tags: [...current.tags, tag] })));
      expect([...(await clients.get(value.id))!.tags].sort()).toEqual(tags);
    });
  });
}
