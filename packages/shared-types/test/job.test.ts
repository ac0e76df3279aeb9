import { canTransition, isTerminalStatus, JOB_STATUSES, JobSchema, statusesBefore } from '../src/job';
import { DEFAULT_STEREO_PARAMS, outputFileName, StereoParamsSchema } from '../src/stereo';

describe('job status lifecycle', () => {
  it('allows the forward path and failing from any unfinished status', () => {
    expect(canTransition('created', 'chunking_in_progress')).toBe(true);
    expect(canTransition('chunking_in_progress', 'chunking_complete')).toBe(true);
    expect(canTransition('chunking_complete', 'completed')).toBe(true);
    for (const from of ['created', 'chunking_in_progress', 'chunking_complete'] as const) {
      expect(canTransition(from, 'failed')).toBe(true);
    }
  });

  it('refuses skipping, going back and leaving a terminal status', () => {
    expect(canTransition('created', 'completed')).toBe(false);
    expect(canTransition('created', 'chunking_complete')).toBe(false);
    expect(canTransition('chunking_complete', 'chunking_in_progress')).toBe(false);
    for (const to of JOB_STATUSES) {
      expect(canTransition('completed', to)).toBe(false);
      expect(canTransition('failed', to)).toBe(false);
    }
    expect(isTerminalStatus('completed')).toBe(true);
    expect(isTerminalStatus('created')).toBe(false);
  });

  it('lists the statuses a conditional write may start from', () => {
    expect(statusesBefore('failed')).toEqual(['created', 'chunking_in_progress', 'chunking_complete']);
    expect(statusesBefore('completed')).toEqual(['chunking_complete']);
  });
});

describe('stereo parameters', () => {
  it("defaults to iw3's divergence 2.0, convergence 0.5 and the dubois anaglyph", () => {
    expect(DEFAULT_STEREO_PARAMS).toEqual({ divergence: 2, convergence: 0.5, anaglyph_method: 'dubois' });
  });

  it('rejects values outside the ranges', () => {
    expect(StereoParamsSchema.safeParse({ divergence: 11 }).success).toBe(false);
    expect(StereoParamsSchema.safeParse({ convergence: -0.1 }).success).toBe(false);
    expect(StereoParamsSchema.safeParse({ anaglyph_method: 'wimmer' }).success).toBe(false);
  });
});

describe('job record', () => {
  const valid = {
    job_id: '3f2b8c1e-6d4a-4b9e-8f00-1234567890ab',
    mode: 'sbs',
    status: 'created',
    created_at: 1_700_000_000_000,
    stereo: DEFAULT_STEREO_PARAMS,
    source_file_name: 'holiday.mp4',
  };

  it('accepts a freshly created job', () => {
    expect(JobSchema.safeParse(valid).success).toBe(true);
  });

  it('rejects a non-UUID id and an unknown status', () => {
    expect(JobSchema.safeParse({ ...valid, job_id: '../etc' }).success).toBe(false);
    expect(JobSchema.safeParse({ ...valid, status: 'done' }).success).toBe(false);
  });
});

describe('output file names', () => {
  it('carry the suffix VR players recognise', () => {
    expect(outputFileName('holiday.mov', 'sbs')).toBe('holiday_LRF_Full_SBS.mp4');
    expect(outputFileName('holiday.mp4', 'half-sbs')).toBe('holiday_LR.mp4');
    expect(outputFileName('a.b.mp4', 'tb')).toBe('a.b_TBF_fulltb.mp4');
    expect(outputFileName('a.b.mp4', 'half-tb')).toBe('a.b_TB.mp4');
    expect(outputFileName('a.b.mp4', 'cross-eyed')).toBe('a.b_RLF_cross.mp4');
    expect(outputFileName('.mp4', 'anaglyph')).toBe('video_redcyan.mp4');
  });
});
