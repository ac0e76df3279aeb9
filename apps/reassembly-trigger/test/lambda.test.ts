import { handler } from '../src/lambda';

describe('Lambda handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('refuses to start off AWS, and names every missing variable on AWS', async () => {
    // Prepare
    process.env.STEREO_SPOT_PLATFORM = 'local';

    // Act + Assess
    await expect(handler({ Records: [] })).rejects.toThrow('the Lambda handler runs on AWS');
    process.env.STEREO_SPOT_PLATFORM = 'aws';
    delete process.env.JOBS_TABLE_NAME;
    await expect(handler({ Records: [] })).rejects.toThrow(
      /JOBS_TABLE_NAME: missing \(required for reassembly-trigger on aws\)/,
    );
  });
});
