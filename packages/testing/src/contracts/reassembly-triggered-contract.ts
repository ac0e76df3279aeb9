/** The ReassemblyTriggeredStore contract: create once, start once, take over a stale start. */
import type { ReassemblyTriggeredStore } from '@stereo-spot/pipeline';
import { newReassemblyTriggered } from '@stereo-spot/shared-types';
import { newJobId } from '../fixtures/jobs';
import { useFreshFixture, type ContractFixture, type FixtureFactory } from './fixture';

export interface ReassemblyTriggeredStoreContractFixture extends ContractFixture {
  /** A store over a fresh, empty table. */
  readonly store: ReassemblyTriggeredStore;
}

const NOW = 1_700_000_000_000;
const STALE_AFTER_MS = 60_000;

export function describeReassemblyTriggeredStoreContract(
  name: string,
  makeFixture: FixtureFactory<ReassemblyTriggeredStoreContractFixture>,
): void {
  describe(`ReassemblyTriggeredStore contract: ${name}`, () => {
    const fixture = useFreshFixture(makeFixture);

    it('creates the lock once: the first caller wins, later ones are told no', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      const lock = newReassemblyTriggered(jobId, NOW);
      // Act
      const first = await store.tryCreate(lock);
      const second = await store.tryCreate(newReassemblyTriggered(jobId, NOW + 5));
      // Assess
      expect([first, second]).toEqual([true, false]);
      expect(await store.get(jobId)).toEqual(lock);
    });

    it('reads an unknown lock as undefined and refuses to start it', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      // Act
      const started = await store.tryStart(jobId, NOW, STALE_AFTER_MS);
      // Assess
      expect(started).toBe(false);
      expect(await store.get(jobId)).toBeUndefined();
    });

    it('starts once: a second start while the first is fresh is refused', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      await store.tryCreate(newReassemblyTriggered(jobId, NOW));
      // Act
      const first = await store.tryStart(jobId, NOW + 1000, STALE_AFTER_MS);
      const second = await store.tryStart(jobId, NOW + 2000, STALE_AFTER_MS);
      // Assess
      expect([first, second]).toEqual([true, false]);
      expect((await store.get(jobId))?.reassembly_started_at).toBe(NOW + 1000);
    });

    it('lets a later worker take over a start older than the stale limit', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      await store.tryCreate(newReassemblyTriggered(jobId, NOW));
      await store.tryStart(jobId, NOW, STALE_AFTER_MS);
      const takeoverAt = NOW + STALE_AFTER_MS + 1000;
      // Act
      const takeover = await store.tryStart(jobId, takeoverAt, STALE_AFTER_MS);
      const afterTakeover = await store.tryStart(jobId, takeoverAt + 1000, STALE_AFTER_MS);
      // Assess
      expect([takeover, afterTakeover]).toEqual([true, false]);
      expect((await store.get(jobId))?.reassembly_started_at).toBe(takeoverAt);
    });

    it('deletes a lock so the job can be triggered again', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      await store.tryCreate(newReassemblyTriggered(jobId, NOW));
      // Act
      await store.delete(jobId);
      // Assess
      expect(await store.get(jobId)).toBeUndefined();
      expect(await store.tryCreate(newReassemblyTriggered(jobId, NOW + 1))).toBe(true);
    });
  });
}
