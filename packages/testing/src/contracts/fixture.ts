/** What every contract suite's factory returns: a fresh subject and how to dispose of it. */
export interface ContractFixture {
  /** Releases what the factory created (temp folders, databases, emulator resources). */
  cleanup(): Promise<void>;
}

export type FixtureFactory<F extends ContractFixture> = () => Promise<F>;

/**
 * Creates a fresh fixture before each test and cleans it up after; the returned getter is what
 * the tests use.
 */
export function useFreshFixture<F extends ContractFixture>(makeFixture: FixtureFactory<F>): () => F {
  let current: F | undefined;
  beforeEach(async () => {
    current = await makeFixture();
  });
  afterEach(async () => {
    const fixture = current;
    current = undefined;
    await fixture?.cleanup();
  });
  return () => {
    if (current === undefined) throw new Error('contract fixture used outside a test');
    return current;
  };
}
