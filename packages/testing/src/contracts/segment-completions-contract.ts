/** The SegmentCompletionStore contract: idempotent puts, consistent counts, index order. */
import type { SegmentCompletionStore } from '@stereo-spot/pipeline';
import { makeSegmentCompletion, newJobId } from '../fixtures/jobs';
import { useFreshFixture, type ContractFixture, type FixtureFactory } from './fixture';

export interface SegmentCompletionStoreContractFixture extends ContractFixture {
  /** A store over a fresh, empty table. */
  readonly store: SegmentCompletionStore;
}

export function describeSegmentCompletionStoreContract(
  name: string,
  makeFixture: FixtureFactory<SegmentCompletionStoreContractFixture>,
): void {
  describe(`SegmentCompletionStore contract: ${name}`, () => {
    const fixture = useFreshFixture(makeFixture);

    it('counts and lists completions in segment_index order whatever the order of the puts', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      // Act
      for (const index of [2, 0, 11, 1]) await store.put(makeSegmentCompletion(jobId, index, { frames: 24 }));
      // Assess
      expect(await store.count(jobId)).toBe(4);
      const listed = await store.list(jobId);
      expect(listed.map((completion) => completion.segment_index)).toEqual([0, 1, 2, 11]);
      expect(listed[0]).toEqual(makeSegmentCompletion(jobId, 0, { frames: 24 }));
    });

    it('a second put of the same segment replaces it and is counted once', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      await store.put(makeSegmentCompletion(jobId, 0, { completed_at: 1000 }));
      // Act
      await store.put(makeSegmentCompletion(jobId, 0, { completed_at: 2000 }));
      await store.put(makeSegmentCompletion(jobId, 0, { completed_at: 2000 }));
      // Assess
      expect(await store.count(jobId)).toBe(1);
      expect((await store.list(jobId)).map((completion) => completion.completed_at)).toEqual([2000]);
    });

    it('keeps jobs apart; an unknown job has none', async () => {
      // Prepare
      const { store } = fixture();
      const first = newJobId();
      const second = newJobId();
      // Act
      await store.put(makeSegmentCompletion(first, 0));
      await store.put(makeSegmentCompletion(first, 1));
      await store.put(makeSegmentCompletion(second, 0));
      // Assess
      expect(await store.count(first)).toBe(2);
      expect(await store.count(second)).toBe(1);
      expect(await store.count(newJobId())).toBe(0);
      expect(await store.list(newJobId())).toEqual([]);
    });

    it('counts every put at once (strongly consistent), also after many puts', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      const counts: number[] = [];
      // Act
      for (let index = 0; index < 12; index++) {
        await store.put(makeSegmentCompletion(jobId, index));
        counts.push(await store.count(jobId));
      }
      // Assess
      expect(counts).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
    });

    it('deletes every completion of one job', async () => {
      // Prepare
      const { store } = fixture();
      const jobId = newJobId();
      const other = newJobId();
      await store.put(makeSegmentCompletion(jobId, 0));
      await store.put(makeSegmentCompletion(jobId, 1));
      await store.put(makeSegmentCompletion(other, 0));
      // Act
      await store.deleteForJob(jobId);
      // Assess
      expect(await store.count(jobId)).toBe(0);
      expect(await store.list(jobId)).toEqual([]);
      expect(await store.count(other)).toBe(1);
    });
  });
}
